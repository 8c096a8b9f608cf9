import { build } from 'esbuild';
import { programsOptions } from './scripts/programs.mjs';
const o = programsOptions(process.cwd(), '/tmp/h10load/sdist');
o.entryPoints = { console: o.entryPoints.console };
o.plugins = [{ name: 'stub', setup(b) { b.onResolve({ filter: /^\.\/(builder|provisioner|post-processor|datasource)\// }, (a) => a.importer.endsWith('plugins/src/index.ts') ? { path: a.path, namespace: 'stub' } : undefined); b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'module.exports = {}', loader: 'js' })); } }, ...o.plugins];
await build(o);
