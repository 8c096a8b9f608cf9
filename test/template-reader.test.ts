// The JSON template reader's failures, byte for byte against Packer 1.6.6 live (validate and
// build print them as hcl2_upgrade does): a list of errors holding a nested list (go-multierror
// leaves the nested lines unindented), and files that are not UTF-8 (Go's offsets count the
// file's bytes, its excerpt prints them raw, its strings get one U+FFFD per bad byte). The
// bad-input corpus checks these cases with white space folded; here every byte counts.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { requireTools } from './helpers/requires.ts';
import { PACKER_TS, REAL_PACKER, ROOT, run } from './helpers/run.ts';

const temps: string[] = [];
const tempDir = (): string => { const d = mkdtempSync(join(tmpdir(), 'packer-ts-reader-')); temps.push(d); return d; };

/** Templates whose error text has a nested list. */
const NESTED = [
  'duration-pause-before', 'duration-timeout', 'type-builder-name-object', 'type-builder-type-array',
  'type-keep-input-artifact-string', 'type-max-retries-object', 'type-post-processor-type-object',
  'type-provisioner-only-map', 'type-provisioner-override-array',
].map((d) => join(ROOT, 'test/bad-input', d, 'template.json'));
/** Templates with bytes that are not UTF-8, or an excerpt that cuts a character. */
const BYTES = [
  join(ROOT, 'test/bad-input/json-bom/template.json'),
  join(ROOT, 'test/hcl2-upgrade/not-utf8.json'),
  join(ROOT, 'test/hcl2-upgrade/not-utf8-broken.json'),
];

/** Unix times of machine-readable records and build durations differ from run to run. */
const steady = (text: string): string => text.replace(/^\d+,/gm, '')
  .replace(/ after( \d+(\.\d+)? (hours?|minutes?|seconds?|milliseconds?|microseconds?|nanoseconds?))+/g, ' after <duration>');

async function both(template: string, args: string[], input?: Buffer) {
  const out = [];
  for (const bin of [PACKER_TS, REAL_PACKER]) {
    const dir = tempDir();
    cpSync(dirname(template), dir, { recursive: true });
    out.push({ dir, ...await run(bin, args, { cwd: dir, env: { HOME: tempDir(), PACKER_LOG: undefined }, input, timeoutMs: 60_000 }) });
  }
  return { ours: out[0]!, theirs: out[1]! };
}

before(() => requireTools(REAL_PACKER));
after(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });

describe("the JSON template reader's errors, byte for byte as Packer 1.6.6", () => {
  for (const t of [...NESTED, ...BYTES]) {
    const name = `${basename(dirname(t))}/${basename(t)}`;
    const runs: { what: string; args: string[]; input?: Buffer }[] = [
      { what: 'validate', args: ['validate', basename(t)] },
      { what: 'build', args: ['build', basename(t)] },
    ];
    if (BYTES.includes(t)) {
      runs.push({ what: 'validate -machine-readable', args: ['-machine-readable', 'validate', basename(t)] });
      runs.push({ what: 'inspect', args: ['inspect', basename(t)] });
      runs.push({ what: 'validate - (standard input)', args: ['validate', '-'], input: readFileSync(t) });
    }
    for (const r of runs) {
      test(`${name}: ${r.what}`, async () => {
        const { ours, theirs } = await both(t, r.args, r.input);
        const what = `${name} ${r.what}`;
        assert.equal(steady(ours.stdout), steady(theirs.stdout), `${what}: stdout`);
        assert.equal(ours.stderr, theirs.stderr, `${what}: stderr`);
        // text decoding shows every byte that is not UTF-8 as U+FFFD on both sides: compare the bytes
        assert.equal(steady(ours.stdoutBytes.toString('latin1')), steady(theirs.stdoutBytes.toString('latin1')), `${what}: stdout bytes`);
        if (theirs.code === 0 && r.what === 'build') {
          // the file builder's target and content: strings of the template, bad bytes as U+FFFD
          const made = (dir: string) => readFileSync(join(dir, 'x\ufffd'));
          assert.deepEqual(made(ours.dir), made(theirs.dir), `${what}: the file built`);
        }
        assert.equal(ours.code, theirs.code, `${what}: exit code`);
      });
    }
  }
});
