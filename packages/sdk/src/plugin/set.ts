/**
 * A multi-component plugin (`packer-plugin-NAME`), the shape of the Go SDK's plugin.NewSet(): what
 * Packer 1.7 and later install and run.
 *
 *   import { DEFAULT_NAME, pluginSet } from '@packer-ts/sdk/plugin';
 *   const set = pluginSet();
 *   set.registerBuilder('mock', new MockBuilder());             // template type: NAME-mock
 *   set.registerProvisioner(DEFAULT_NAME, new MyProvisioner());  // template type: NAME
 *   set.registerDatasource('static', new StaticDatasource());
 *   set.setVersion('0.0.1');
 *   await set.run();                                            // reads process.argv
 *
 * Commands (argv after the executable; `--protobuf` may appear anywhere and is removed first):
 *   describe                     prints the SetDescription JSON on stdout (no cookie needed): version,
 *                                sdk_version, api_version "x5.0", builders, post_processors,
 *                                provisioners, datasources (each sorted), protocol_version "v2"
 *   start KIND [--protobuf] NAME serves one component: the magic cookie check, then the handshake
 *                                `5|0|unix|PATH`; KIND and NAME are checked once the core connected
 * Run without arguments under a Packer 1.6 plugin name (a link or copy named
 * `packer-builder-NAME`, `packer-provisioner-NAME`, `packer-post-processor-NAME`), the set serves that
 * one component as a Packer 1.6 plugin (handshake `5|unix|PATH`), so one executable also reaches
 * Packer 1.6 (the Go SDK has no such mode: it says "needs at least one argument").
 * Errors are the Go SDK's texts, on stderr with exit code 1: "needs at least one argument",
 * "Unknown command: \"X\"", "start takes two arguments, for example 'start builder
 * example-builder'. Found: [a b c]", "Unknown plugin type: X", the cookie message. A name that is
 * not registered: "no KIND named \"NAME\" in this plugin" (the Go SDK serves a nil component and
 * crashes on the first call).
 *
 * Public API
 *   DEFAULT_NAME ('-packer-default-plugin-name-'), API_VERSION_X ('x5.0'), PROTOCOL_VERSION ('v2'),
 *   SDK_VERSION
 *   pluginSet(): PluginSet
 *   PluginSet: registerBuilder/registerProvisioner/registerPostProcessor/registerDatasource(name, impl)
 *       (a duplicate name throws "registering duplicate NAME KIND"), setVersion(v),
 *       description(), describeJSON(), run(argv?, options?), runCommand(args, options?, self?)
 *       (self: the executable's path, default process.argv[1], for the Packer 1.6 names)
 */
import type { Builder } from '../builder.ts';
import type { Datasource } from '../datasource.ts';
import type { PostProcessor } from '../postprocessor.ts';
import type { Provisioner } from '../provisioner.ts';
import type { ComponentKind } from '../rpc/adapters/index.ts';
import { API_VERSION, API_VERSION_MINOR } from '../rpc/handshake.ts';
import { basename } from 'node:path';
import { server, type ServerOptions } from './server.ts';
import { adoptDeferredExtraCa } from '../extra-ca.ts';

const LEGACY = /^packer-(builder|provisioner|post-processor)-(.+?)(\.exe)?$/;

export const DEFAULT_NAME = '-packer-default-plugin-name-';
export const API_VERSION_X = `x${API_VERSION}.${API_VERSION_MINOR}`;
export const PROTOCOL_VERSION = 'v2';
/** The version of this SDK, reported as `sdk_version`. */
export const SDK_VERSION = '0.1.0';

export interface SetDescription {
  version: string;
  sdk_version: string;
  api_version: string;
  builders: string[];
  post_processors: string[];
  provisioners: string[];
  datasources: string[];
  protocol_version: string;
}

/** Go's sort.Strings: byte-wise order. */
function goSorted(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** Go's %v of a []string. */
function goList(a: string[]): string {
  return `[${a.join(' ')}]`;
}

/** encoding/json's string escaping (HTML-safe), for the describe line. */
function goJSON(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export class PluginSet {
  private version = '';
  readonly builders = new Map<string, Builder>();
  readonly provisioners = new Map<string, Provisioner>();
  readonly postProcessors = new Map<string, PostProcessor>();
  readonly datasources = new Map<string, Datasource>();

  setVersion(version: string): void { this.version = version; }

  private add<T>(m: Map<string, T>, kind: string, name: string, impl: T): void {
    if (m.has(name)) throw new Error(`registering duplicate ${name} ${kind}`);
    m.set(name, impl);
  }
  registerBuilder(name: string, b: Builder): void { this.add(this.builders, 'builder', name, b); }
  registerProvisioner(name: string, p: Provisioner): void { this.add(this.provisioners, 'provisioner', name, p); }
  registerPostProcessor(name: string, pp: PostProcessor): void { this.add(this.postProcessors, 'post-processor', name, pp); }
  registerDatasource(name: string, d: Datasource): void { this.add(this.datasources, 'datasource', name, d); }

  description(): SetDescription {
    return {
      version: this.version,
      sdk_version: SDK_VERSION,
      api_version: API_VERSION_X,
      builders: goSorted(this.builders.keys()),
      post_processors: goSorted(this.postProcessors.keys()),
      provisioners: goSorted(this.provisioners.keys()),
      datasources: goSorted(this.datasources.keys()),
      protocol_version: PROTOCOL_VERSION,
    };
  }

  /** The line `describe` prints (with its newline, as json.Encoder). */
  describeJSON(): string { return goJSON(this.description()) + '\n'; }

  /** Runs the command in process.argv (or `argv`): errors on stderr, exit code 1, as the scaffolding main. */
  async run(argv: string[] = process.argv.slice(2), options: ServerOptions = {}): Promise<void> {
    try {
      await this.runCommand(argv, options);
    } catch (e) {
      if (e instanceof GoPanic) {
        process.stderr.write(`panic: ${e.message}\n`);
        process.exit(2);
      }
      process.stderr.write(`${(e as Error).message}\n`);
      process.exit(1);
    }
  }

  async runCommand(argv: string[], options: ServerOptions = {}, self: string | undefined = process.argv[1]): Promise<void> {
    adoptDeferredExtraCa();
    if (argv.length < 1) {
      const legacy = LEGACY.exec(basename(self ?? ''));
      if (legacy) {
        const { kind, impl } = this.resolveLegacy(legacy[1]!, legacy[2]!);
        const s = await server(options);
        s.register(kind, impl as never);
        await s.serve();
        return;
      }
      throw new Error('needs at least one argument');
    }
    const protobuf = argv.includes('--protobuf');
    const args = argv.filter((a) => a !== '--protobuf');
    if (args.length === 0) throw new GoPanic('runtime error: index out of range [0] with length 0');
    switch (args[0]) {
      case 'describe':
        (options.stdout ?? process.stdout).write(this.describeJSON());
        return;
      case 'start': {
        const rest = args.slice(1);
        if (rest.length !== 2) throw new Error(`start takes two arguments, for example 'start builder example-builder'. Found: ${goList(rest)}`);
        const [kind, name] = rest as [string, string];
        const s = await server({ ...options, apiMinor: API_VERSION_MINOR, encoding: protobuf ? 'protobuf' : 'gob', resolve: () => this.resolve(kind, name) });
        await s.serve();
        return;
      }
      default:
        throw new Error(`Unknown command: ${JSON.stringify(args[0])}`);
    }
  }

  /**
   * A Packer 1.6 name `packer-KIND-NAME` serves the component registered as NAME, or else the
   * set's only component of that kind (a link or copy may be named as the user likes).
   */
  private resolveLegacy(kind: string, name: string): { kind: ComponentKind; impl: unknown } {
    const m = ({ builder: this.builders, 'post-processor': this.postProcessors, provisioner: this.provisioners } as Record<string, Map<string, unknown>>)[kind];
    if (m && !m.has(name) && m.size === 1) return { kind: kind as ComponentKind, impl: [...m.values()][0] };
    return this.resolve(kind, name);
  }

  private resolve(kind: string, name: string): { kind: ComponentKind; impl: unknown } {
    const maps: Record<string, Map<string, unknown>> = {
      builder: this.builders, 'post-processor': this.postProcessors, provisioner: this.provisioners, datasource: this.datasources,
    };
    const m = Object.hasOwn(maps, kind) ? maps[kind] : undefined;
    if (!m) throw new Error(`Unknown plugin type: ${kind}`);
    const impl = m.get(name);
    if (impl === undefined) throw new Error(`no ${kind} named ${JSON.stringify(name)} in this plugin`);
    return { kind: kind as ComponentKind, impl };
  }
}

/** An argument error the Go SDK reports by panicking (exit code 2). */
class GoPanic extends Error {}

export function pluginSet(): PluginSet {
  return new PluginSet();
}
