// Packs @packer-ts/sdk for plugin authors: compiled JavaScript (ESM) and .d.ts, usable from
// plain `tsc` and node without a bundler. In the repository the SDK's `exports` point at its
// TypeScript sources (tsx and esbuild read them directly); this compiles packages/sdk/src into a
// staging folder, writes a package.json whose `exports` map each source entry to its .js and
// .d.ts, and runs `npm pack` there.
// Usage: node scripts/pack-sdk.mjs [--out DIR]   (prints the tarball's path)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const SDK = join(ROOT, 'packages/sdk');
const i = process.argv.indexOf('--out');
const out = resolve(i >= 0 ? process.argv[i + 1] : ROOT);
const stage = mkdtempSync(join(tmpdir(), 'packer-ts-sdk-pack-'));
try {
  writeFileSync(join(stage, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], types: ['node'],
      typeRoots: [join(ROOT, 'node_modules/@types')],
      strict: true, skipLibCheck: true, esModuleInterop: true, resolveJsonModule: true,
      rewriteRelativeImportExtensions: true, allowImportingTsExtensions: true,
      declaration: true, sourceMap: false, rootDir: join(SDK, 'src'), outDir: join(stage, 'dist'),
    },
    include: [join(SDK, 'src/**/*.ts')],
  }, null, 2));
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(stage, 'tsconfig.json')], { stdio: 'inherit' });
  rmSync(join(stage, 'tsconfig.json'));
  const pkg = JSON.parse(readFileSync(join(SDK, 'package.json'), 'utf8'));
  const exportsOut = {};
  for (const [entry, target] of Object.entries(pkg.exports ?? {})) {
    const file = typeof target === 'string' ? target : target.default ?? target.import;
    if (!file.startsWith('./src/')) { exportsOut[entry] = target; continue; } // plain JavaScript (banner.mjs): shipped as it is
    const base = file.replace(/^\.\/src\//, './dist/').replace(/\.ts$/, '');
    exportsOut[entry] = { types: `${base}.d.ts`, default: `${base}.js` };
  }
  delete pkg.private;
  delete pkg.devDependencies;
  pkg.exports = exportsOut;
  pkg.types = exportsOut['.']?.types;
  pkg.files = ['dist', 'README.md', 'banner.mjs', 'banner.d.mts'];
  pkg.engines = { node: '>=20.16' };
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  for (const f of ['README.md', 'banner.mjs', 'banner.d.mts']) cpSync(join(SDK, f), join(stage, f));
  mkdirSync(out, { recursive: true });
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: stage, encoding: 'utf8' }));
  console.log(join(out, packed[0].filename));
} finally {
  rmSync(stage, { recursive: true, force: true });
}
