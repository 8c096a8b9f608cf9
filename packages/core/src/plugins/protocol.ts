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
 * to are the ones that count. A plugin started in protobuf
 * mode gets `--protobuf` before the component name (`start builder --protobuf mock`) and sends its
 * ConfigSpec/OutputSpec as protobuf and datasource values as cty msgpack. Packer 1.6 executables
 * (`packer-TYPE-NAME`) know neither and are started as before.
 *
 * Public API
 *   FORCE_GOB_ENV ('PACKER_FORCE_GOB')
 *   chooseEncoding(plugins, env?, log?): 'gob' | 'protobuf'   over the refs of the component map in effect
 *   withEncoding(ref, encoding): PluginRef     the ref with its start arguments for that encoding
 */
import type { PluginMap, PluginRef } from './discovery.ts';

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
