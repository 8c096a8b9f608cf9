/**
 * Where the core gets its components. The built-ins run in-process; the
 * plugin layer adds executables found by discovery. A store answers by
 * type name and owns the lifecycle of what it started.
 */
import type { Builder, Datasource, PostProcessor, Provisioner } from '@packer-ts/sdk';
import type { ComponentKind } from '@packer-ts/sdk/rpc';
import type { PluginRef } from './plugins/discovery.ts';

/** builder, provisioner, post-processor (also Packer 1.6 plugins) and datasource (HCL2 `data` blocks). */
export type { ComponentKind };

export interface ComponentStore<T> {
  has(name: string): boolean;
  list(): string[];
  /** Starts (or instantiates) a component. Throws when it cannot. */
  start(name: string): Promise<T>;
}

export interface ComponentFinder {
  builders: ComponentStore<Builder>;
  provisioners: ComponentStore<Provisioner>;
  postProcessors: ComponentStore<PostProcessor>;
  /** Datasources of `data "TYPE" "NAME"` blocks: built-ins (`null`, `http`) and plugins' (`NAME-COMPONENT`). */
  datasources?: ComponentStore<Datasource>;
  /** Stops everything the stores started (plugin processes). Safe to call twice. */
  close(): Promise<void>;
  /** Kills every plugin process now (after a cancel that did not end them in time). */
  kill?(): Promise<void>;
  /**
   * Makes these plugin components the ones their names resolve to, above what discovery found
   * (`packer { required_plugins }`: the selected installation of each requirement).
   */
  usePlugins?(refs: readonly PluginRef[]): void;
  /** Installed pre-release versions are not used (-ignore-prerelease-plugins), also by required_plugins. */
  readonly releasesOnly?: boolean;
}

/** A store over in-process factories. */
export class FactoryStore<T> implements ComponentStore<T> {
  constructor(readonly kind: ComponentKind, readonly factories: Record<string, () => T | Promise<T>>) {}
  has(name: string): boolean { return Object.hasOwn(this.factories, name); }
  list(): string[] { return Object.keys(this.factories).sort(); }
  async start(name: string): Promise<T> {
    const f = this.factories[name];
    if (!f || !this.has(name)) throw new Error(`Unknown ${this.kind} ${name}`);
    return f();
  }
}

/** Stores whose lookups fall through, first hit wins. */
export class LayeredStore<T> implements ComponentStore<T> {
  constructor(readonly kind: ComponentKind, readonly layers: ComponentStore<T>[]) {}
  has(name: string): boolean { return this.layers.some((l) => l.has(name)); }
  list(): string[] { return [...new Set(this.layers.flatMap((l) => l.list()))].sort(); }
  async start(name: string): Promise<T> {
    for (const l of this.layers) if (l.has(name)) return l.start(name);
    throw new Error(`Unknown ${this.kind} ${name}`);
  }
}
