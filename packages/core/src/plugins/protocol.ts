/**
 * gob or protobuf: how the core speaks to multi-component plugins (Packer 1.16's
 * PluginConfig.DiscoverMultiPlugin). Protobuf is used only when every plugin that provides a
 * component describes `"protocol_version": "v2"` and PACKER_FORCE_GOB is unset, empty or `0`; one
 * plugin without it (or the variable) puts every plugin in gob mode. A plugin started in protobuf
 * mode gets `--protobuf` before the component name (`start builder --protobuf mock`) and sends its
 * ConfigSpec/OutputSpec as protobuf and datasource values as cty msgpack. Packer 1.6 executables
 * (`packer-TYPE-NAME`) know neither and are started as before.
 *
 * Public API
 *   FORCE_GOB_ENV ('PACKER_FORCE_GOB')
 *   chooseEncoding(plugins, env?, log?): 'gob' | 'protobuf'
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
