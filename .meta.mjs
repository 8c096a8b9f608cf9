import { build } from 'esbuild';
import { programsOptions } from './scripts/programs.mjs';
const r = await build({ ...programsOptions(process.cwd(), '/tmp/h10load/mdist'), metafile: true, sourcemap: false, logLevel: 'error' });
for (const [out, o] of Object.entries(r.metafile.outputs)) {
  if (!out.endsWith('.cjs')) continue;
  const t = {};
  for (const [k, v] of Object.entries(o.inputs)) {
    const g = k.includes('node_modules') ? 'nm/' + k.split('node_modules/')[1].split('/')[0] : k.split('/').slice(0, 4).join('/').replace(/\.ts$/, '');
    t[g] = (t[g] || 0) + v.bytesInOutput;
  }
  console.log(out, o.bytes, Object.entries(t).sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${(v / 1024).toFixed(0)}K ${k}`).join(', '));
}
