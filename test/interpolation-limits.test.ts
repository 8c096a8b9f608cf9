/**
 * Interpolation at its limits (fmt width/precision caps, invalid runes, deep
 * nesting): packer-ts writes what Packer 1.6.6 writes, checked live with the
 * `file` builder (one builder per expression, contents compared byte for byte).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKER_TS, REAL_PACKER, run } from './helpers/run.ts';

/** Expressions that render. */
const RENDERED: string[] = [
  '{{ printf "%c|%q|%U" -1 55296 -1 }}',
  '{{ printf "%c|%q|%c" 1114112 39 10 }}',
  '{{ printf "%*d" 2000000 1 }}',
  '{{ printf "%.*d" 2000000 1 }}',
  '{{ printf "%.*d" -5 1 }}',
  '{{ printf "%*d|%-*d|" "x" 1 -3 2 }}',
  '{{ printf "%*d" }}',
  '{{ printf "%999999999999999999999d" 1 }}',
  '{{ printf "%500000000d" 1 }}',
  '{{ printf "%.500000000f|%d" 1.5 2 }}',
  '{{ printf "%1000000d" 1 | len }}',
  '{{ "\\U0010FFFF" | len }}',
  '{{ ' + '('.repeat(20_000) + '1' + ')'.repeat(20_000) + ' }}',
  '{{ ' + '(print '.repeat(5_000) + '"x"' + ')'.repeat(5_000) + ' }}',
  '{{ if 1 }}'.repeat(3_000) + 'deep' + '{{ end }}'.repeat(3_000),
];

/** Expressions that are errors. */
const FAILING: string[] = [
  '{{ "\\UFFFFFFFF" }}',
  '{{ "\\uD800" }}',
  "{{ '\\U00110000' }}",
];

const envFor = (dir: string) => ({ HOME: dir, PACKER_CACHE_DIR: join(dir, 'cache') });

test('rendered at the limits: byte for byte what Packer 1.6.6 writes', async () => {
  assert.ok(existsSync(REAL_PACKER), `${REAL_PACKER} is missing: install Debian's packer package (scripts/test-deps.apt)`);
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-interp-'));
  try {
    const builders = RENDERED.map((content, i) => ({ type: 'file', name: `b${i}`, target: `OUT/${i}.txt`, content }));
    await writeFile(join(dir, 't.json'), JSON.stringify({ builders }));
    const results: Buffer[][] = [];
    for (const bin of [PACKER_TS, REAL_PACKER]) {
      await rm(join(dir, 'OUT'), { recursive: true, force: true });
      await mkdir(join(dir, 'OUT'));
      const r = await run(bin, ['build', '-color=false', 't.json'], { cwd: dir, env: envFor(dir), timeoutMs: 120_000 });
      assert.equal(r.code, 0, `${bin}: ${(r.stdout + r.stderr).slice(0, 4000)}`);
      results.push(await Promise.all(RENDERED.map((_, i) => readFile(join(dir, 'OUT', `${i}.txt`)))));
    }
    const diffs = RENDERED.flatMap((e, i) => results[0]![i]!.equals(results[1]![i]!) ? []
      : [`${e.slice(0, 60)}: packer-ts ${JSON.stringify(results[0]![i]!.toString().slice(0, 200))} (${results[0]![i]!.length} bytes), Packer ${JSON.stringify(results[1]![i]!.toString().slice(0, 200))} (${results[1]![i]!.length} bytes)`]);
    assert.deepEqual(diffs, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('invalid runes in string constants: the error Packer 1.6.6 gives', async () => {
  assert.ok(existsSync(REAL_PACKER), `${REAL_PACKER} is missing: install Debian's packer package (scripts/test-deps.apt)`);
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-interp-'));
  try {
    for (const content of FAILING) {
      await writeFile(join(dir, 't.json'), JSON.stringify({ builders: [{ type: 'file', target: 'x.txt', content }] }));
      const ours = await run(PACKER_TS, ['validate', 't.json'], { cwd: dir, env: envFor(dir) });
      const theirs = await run(REAL_PACKER, ['validate', 't.json'], { cwd: dir, env: envFor(dir) });
      assert.equal(theirs.code, 1, `Packer: ${theirs.stdout}${theirs.stderr}`);
      assert.equal(ours.code, 1, `${content}: ${ours.stdout}${ours.stderr}`);
      // the words, without list layout (each component's list format is compared elsewhere)
      const words = (s: string) => s.replace(/\s+/g, ' ').replace(/\d+ errors? occurred: \* |\d+ error\(s\) occurred: \* /g, '').trim();
      assert.equal(words(ours.stdout + ours.stderr), words(theirs.stdout + theirs.stderr), content);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
