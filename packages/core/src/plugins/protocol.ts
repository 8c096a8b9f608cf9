/**
 * gob or protobuf: how the core speaks to multi-component plugins (Packer 1.16's
 * PluginConfig.DiscoverMultiPlugin). Protobuf is used only when every plugin that provides a
 * component in effect describes `"protocol_version": "v2"` and PACKER_FORCE_GOB is unset, empty or
 * `0`; one such plugin without it (or the variable) puts every plugin in gob mode. "In effect" is
 * Packer's rule: it registers required_plugins' selected versions first, then discovery's highest
 * version of each installed plugin, and a plugin clamps to gob only if it registered a component
 * name not already taken. So a plugin whose every component is shadowed (another installed version
 * of it, when required_plugins picks a lower one under the same accessor) or that has no
 * components does not count, while an installed plugin the template does not use still does. Here
 * that is the final component map (discovery, then usePlugins' overrides): the plugins it points
 * to are the ones that count. Packer 1.16 registers its built-ins before any plugin, so a
 * multi-component plugin's component named like one of them (a plugin `file`'s default-name
 * provisioner `file`) is never used and does not count: `takenByBuiltin` says which names those
 * are, for the built-ins packer-ts also has (its docker, qemu and vagrant built-ins are plugins
 * in Packer 1.16, and yield to installed ones). A plugin started in protobuf
 * mode gets `--protobuf` before the component name (`start builder --protobuf mock`) and sends its
 * ConfigSpec/OutputSpec as protobuf and datasource values as cty msgpack. Packer 1.6 executables
 * (`packer-TYPE-NAME`) know neither and are started as before.
 *
 * Public API
 *   FORCE_GOB_ENV ('PACKER_FORCE_GOB')
 *   chooseEncoding(plugins, env?, log?): 'gob' | 'protobuf'   over the refs of the component map in effect
 *   withEncoding(ref, encoding): PluginRef     the ref with its start arguments for that encoding
 *   takenByBuiltin(ref, builtins): boolean     a multi-component plugin's component Packer 1.16's built-in shadows
 */
import type { ComponentKind } from '../components.ts';
import type { PluginMap, PluginRef } from './discovery.ts';

/** Packer 1.16's built-in components (command/plugin.go), registered before every plugin's. */
const PACKER_BUILTINS: Record<ComponentKind, ReadonlySet<string>> = {
  builder: new Set(['file', 'null']),
  provisioner: new Set(['breakpoint', 'file', 'powershell', 'shell', 'shell-local', 'sleep', 'windows-restart', 'windows-shell']),
  'post-processor': new Set(['artifice', 'checksum', 'compress', 'manifest', 'shell-local']),
  datasource: new Set(['hcp-packer-artifact', 'hcp-packer-image', 'hcp-packer-iteration', 'hcp-packer-version', 'http', 'null']),
};

/**
 * Whether `ref`, a multi-component plugin's component, gives way to a built-in of the same
 * name: one Packer 1.16 has built in and `builtins` (packer-ts's names of that kind) has too.
 * Packer 1.6 executables (`packer-TYPE-NAME`) replace built-ins, as Packer 1.6.6 lets them.
 */
export function takenByBuiltin(ref: PluginRef, builtins: ReadonlySet<string> | readonly string[]): boolean {
  if (!ref.multi || !PACKER_BUILTINS[ref.kind].has(ref.name)) return false;
  return Array.isArray(builtins) ? builtins.includes(ref.name) : (builtins as ReadonlySet<string>).has(ref.name);
}

export const FORCE_GOB_ENV = 'PACKER_FORCE_GOB';

export function chooseEncoding(plugins: PluginMap, env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = () => {}): 'gob' | 'protobuf' {
  const forced = env[FORCE_GOB_ENV] !== undefined && env[FORCE_GOB_ENV] !== '' && env[FORCE_GOB_ENV] !== '0';
  const seen = new Set<string>();
  for (const refs of Object.values(plugins)) {
    for (const ref of refs.values()) {
      if (!ref.multi || seen.has(ref.path)) continue;
      seen.add(ref.path);
      if (forced || ref.multi.protocolVersion !== 'v2') {
        log(`plugin ${JSON.stringify(ref.path)} does not support Protobuf, forcing use of Gob`);
        return 'gob';
      }
    }
  }
  return forced ? 'gob' : 'protobuf';
}

export function withEncoding(ref: PluginRef, encoding: 'gob' | 'protobuf'): PluginRef {
  if (!ref.multi) return ref;
  const args = encoding === 'protobuf' ? ['start', ref.kind, '--protobuf', ref.multi.component] : ['start', ref.kind, ref.multi.component];
  return { ...ref, args, encoding };
}
