/**
 * Wrong JSON types and out-of-range durations in templates: packer-ts rejects
 * each as Packer 1.6.6 does (mapstructure's strict/weak rules), checked live
 * against /usr/bin/packer with `validate`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKER_TS, REAL_PACKER, run } from './helpers/run.ts';

const B = { type: 'null', communicator: 'none' };
const P = { type: 'shell-local', inline: ['true'] };

/** name -> template. Every case is an error in Packer 1.6.6 unless its name ends in "ok". */
const CASES: Record<string, unknown> = {
  'builder type array': { builders: [{ type: ['null'], communicator: 'none' }] },
  'builder name map': { builders: [{ ...B, name: { a: 1 } }] },
  'builder name list': { builders: [{ ...B, name: ['x'] }] },
  'builder name number ok': { builders: [{ ...B, name: 5 }] },
  'builder not a map': { builders: ['null'] },
  'sensitive-variables wrong elements': { 'sensitive-variables': [5, {}], builders: [B] },
  'sensitive-variables string': { 'sensitive-variables': 'a', builders: [B] },
  'sensitive-variables map': { 'sensitive-variables': {}, builders: [B] },
  'push string': { push: 'x', builders: [B] },
  'push list': { push: [], builders: [B] },
  'push map ok': { push: { a: 1 }, builders: [B] },
  'description number': { description: 5, builders: [B] },
  'Description number (case-insensitive key)': { Description: 5, builders: [B] },
  'min_packer_version number': { min_packer_version: 5, builders: [B] },
  'variables list': { variables: [1], builders: [B] },
  // one per template: Go's map order (so Packer's order of several) is random
  'variable a number': { variables: { a: 5 }, builders: [B] },
  'variable a bool': { variables: { a: true }, builders: [B] },
  'variable a list': { variables: { a: [1, 'x', null] }, builders: [B] },
  'variable a map': { variables: { a: { k: [1.5] } }, builders: [B] },
  'root sections wrong': { builders: { a: 1 }, provisioners: 'x', 'post-processors': 5, description: [1], zz: 1 },
  'root a list': [1],
  'root a number': 5,
  'comment not a string': { _c: 5, builders: [B] },
  'max_retries map': { builders: [B], provisioners: [{ ...P, max_retries: { a: 1 } }] },
  'max_retries list (cleanup provisioner)': { builders: [B], 'error-cleanup-provisioner': { ...P, max_retries: [1] } },
  'max_retries not a number': { builders: [B], provisioners: [{ ...P, max_retries: 'x' }] },
  'max_retries float': { builders: [B], provisioners: [{ ...P, max_retries: 1.5 }] },
  'max_retries out of range': { builders: [B], provisioners: [{ ...P, max_retries: '99999999999999999999' }] },
  'max_retries number ok': { builders: [B], provisioners: [{ ...P, max_retries: 5 }] },
  'max_retries bool ok': { builders: [B], provisioners: [{ ...P, max_retries: true }] },
  'provisioner only map elements': { builders: [B], provisioners: [{ ...P, only: [{}] }] },
  'provisioner only map': { builders: [B], provisioners: [{ ...P, only: { a: 1 } }] },
  'provisioner only string with comma': { builders: [B], provisioners: [{ ...P, only: 'a,null' }] },
  'provisioner only number': { builders: [B], provisioners: [{ ...P, only: 5 }] },
  'provisioner only string ok': { builders: [B], provisioners: [{ ...P, only: 'null' }] },
  'provisioner only empty map ok': { builders: [B], provisioners: [{ ...P, only: {} }] },
  'provisioner override list': { builders: [B], provisioners: [{ ...P, override: [1] }] },
  'provisioner many wrong fields': { builders: [B], provisioners: [{ ...P, timeout: 'x', pause_before: {}, only: [[1]], max_retries: [] }] },
  'provisioner not a map (cleanup)': { builders: [B], 'error-cleanup-provisioner': 5 },
  'provisioner type list (cleanup)': { builders: [B], 'error-cleanup-provisioner': { type: ['x'] } },
  'pause_before out of range': { builders: [B], provisioners: [{ ...P, pause_before: '3000000h' }] },
  'pause_before just out of range': { builders: [B], provisioners: [{ ...P, pause_before: '2562047h47m16.854775808s' }] },
  'pause_before list': { builders: [B], provisioners: [{ ...P, pause_before: [1] }] },
  'pause_before number ok': { builders: [B], provisioners: [{ ...P, pause_before: 5 }] },
  'pause_before bool ok': { builders: [B], provisioners: [{ ...P, pause_before: true }] },
  'timeout missing unit': { builders: [B], provisioners: [{ ...P, timeout: '1.5' }] },
  'timeout empty': { builders: [B], provisioners: [{ ...P, timeout: '' }] },
  'timeout map': { builders: [B], provisioners: [{ ...P, timeout: {} }] },
  'timeout unknown unit': { builders: [B], provisioners: [{ ...P, timeout: '5y' }] },
  'timeout unknown non-ASCII unit': { builders: [B], provisioners: [{ ...P, timeout: '5µx"\\' }] },
  'pause_before most negative ok': { builders: [B], provisioners: [{ ...P, pause_before: '-2562047h47m16.854775808s' }] },
  'post-processor name map': { builders: [B], 'post-processors': [{ type: 'manifest', name: { a: 1 } }] },
  'post-processor name number': { builders: [B], 'post-processors': [{ type: 'manifest', name: 5 }] },
  'post-processor type number': { builders: [B], 'post-processors': [{ type: 5 }] },
  'post-processor keep_input_artifact string': { builders: [B], 'post-processors': [{ type: 'manifest', keep_input_artifact: 'true' }] },
  'post-processor only string': { builders: [B], 'post-processors': [{ type: 'manifest', only: 'null' }] },
  'post-processor only number elements': { builders: [B], 'post-processors': [{ type: 'manifest', only: [5] }] },
  'post-processor only map': { builders: [B], 'post-processors': [{ type: 'manifest', only: {} }] },
};

/** Templates given as text (too deep for JSON.stringify). */
const RAW_CASES: Record<string, string> = {
  'arrays nested 10,000 deep (allowed; not a map)': '['.repeat(10_000) + ']'.repeat(10_000),
  'arrays nested 10,001 deep': '['.repeat(10_001) + ']'.repeat(10_001),
  'arrays nested 100,000 deep, unterminated': '['.repeat(100_000),
  'objects nested 6,000 deep inside builders': '{"builders":\n' + '[{"a":'.repeat(6000) + '1' + '}]'.repeat(6000) + '}',
};

/** The output's words: list layout and 80-column wrapping are compared elsewhere. */
const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();

test('wrong JSON types in templates: same exit status and messages as Packer 1.6.6', async () => {
  assert.ok(existsSync(REAL_PACKER), `${REAL_PACKER} is missing: install Debian's packer package (scripts/test-deps.apt)`);
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-types-'));
  try {
    const failures: string[] = [];
    for (const [name, tpl] of [...Object.entries(CASES), ...Object.entries(RAW_CASES)]) {
      const file = join(dir, 't.json');
      await writeFile(file, typeof tpl === 'string' ? tpl : JSON.stringify(tpl));
      const env = { HOME: dir, PACKER_CACHE_DIR: join(dir, 'cache') };
      const ours = await run(PACKER_TS, ['validate', 't.json'], { cwd: dir, env });
      const theirs = await run(REAL_PACKER, ['validate', 't.json'], { cwd: dir, env });
      assert.equal(theirs.code, name.endsWith(' ok') ? 0 : 1, `${name}: Packer itself: ${theirs.stdout}${theirs.stderr}`);
      const a = norm(ours.stdout + ours.stderr);
      const b = norm(theirs.stdout + theirs.stderr);
      if (ours.code !== theirs.code || a !== b) failures.push(`${name}: exit ${ours.code} (Packer ${theirs.code})\n--- packer-ts\n${a}\n--- packer\n${b}`);
    }
    assert.deepEqual(failures, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a 600h provisioner timeout does not cancel a 1 s command (timers beyond 2^31-1 ms)', async () => {
  assert.ok(existsSync(REAL_PACKER), `${REAL_PACKER} is missing: install Debian's packer package (scripts/test-deps.apt)`);
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-timeout-'));
  try {
    await writeFile(join(dir, 't.json'), JSON.stringify({
      builders: [B],
      provisioners: [{ type: 'shell-local', inline: ['sleep 1', 'echo slept'], timeout: '600h' }],
    }));
    const env = { HOME: dir, PACKER_CACHE_DIR: join(dir, 'cache') };
    for (const bin of [PACKER_TS, REAL_PACKER]) {
      const r = await run(bin, ['build', '-color=false', 't.json'], { cwd: dir, env, timeoutMs: 60_000 });
      const out = r.stdout + r.stderr;
      assert.equal(r.code, 0, `${bin}: ${out}`);
      assert.match(out, /Setting a 600h0m0s timeout for the next provisioner/);
      assert.match(out, /slept/);
      assert.doesNotMatch(out, /Cancelling provisioner after a timeout|TimeoutOverflowWarning/);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('wrong JSON types in -var-file: the words of Packer 1.6.6', async () => {
  assert.ok(existsSync(REAL_PACKER), `${REAL_PACKER} is missing: install Debian's packer package (scripts/test-deps.apt)`);
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-varfile-'));
  try {
    await writeFile(join(dir, 't.json'), JSON.stringify({ variables: { a: 'x' }, builders: [B] }));
    const env = { HOME: dir, PACKER_CACHE_DIR: join(dir, 'cache') };
    for (const vars of ['5', '[1]', 'null', '{"a":true}', '{"a":5}', '{"a":{"b":1}}', '{"a":null,"b":"y"}']) {
      await writeFile(join(dir, 'v.json'), vars);
      const ours = await run(PACKER_TS, ['validate', '-var-file=v.json', 't.json'], { cwd: dir, env });
      const theirs = await run(REAL_PACKER, ['validate', '-var-file=v.json', 't.json'], { cwd: dir, env });
      assert.equal(ours.code, theirs.code, `${vars}: ${ours.stdout}${ours.stderr}`);
      assert.equal(norm(ours.stdout + ours.stderr), norm(theirs.stdout + theirs.stderr), vars);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
