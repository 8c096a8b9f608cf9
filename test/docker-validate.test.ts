/**
 * Configuration errors of the docker builder, the docker post-processors, the vagrant
 * post-processor and the sleep provisioner: `validate` through Packer 1.6.6 and packer-ts
 * must fail (exit 1) with the same messages. No daemon is needed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKER_TS, REAL_PACKER, run } from './helpers/run.ts';
import { requireTool } from './helpers/docker.ts';

let work: string;

async function validate(bin: string, template: unknown): Promise<{ code: number | null; out: string }> {
  const dir = await mkdtemp(join(work, 'v-'));
  await mkdir(join(dir, 'adir'));
  await writeFile(join(dir, 'template.json'), JSON.stringify(template));
  const r = await run(bin, ['validate', 'template.json'], { cwd: dir });
  return { code: r.code, out: r.stdout + r.stderr };
}

const builder = { type: 'docker', image: 'tiny:1', commit: true };
const CASES: [string, unknown][] = [
  ['no artifact handling', { builders: [{ type: 'docker', image: 'tiny:1' }] }],
  ['conflict and no image', { builders: [{ type: 'docker', commit: true, discard: true, export_path: 'x.tar' }] }],
  ['export_path is a directory', { builders: [{ type: 'docker', image: 'tiny:1', export_path: 'adir' }] }],
  ['ecr_login without server', { builders: [{ type: 'docker', image: 'tiny:1', commit: true, ecr_login: true }] }],
  ['bad bool', { builders: [{ type: 'docker', image: 'tiny:1', commit: 'maybe' }] }],
  ['unknown key', { builders: [{ type: 'docker', image: 'tiny:1', commit: true, bogus: 1 }] }],
  ['docker-push ecr_login without server', { builders: [builder], 'post-processors': [{ type: 'docker-push', ecr_login: true }] }],
  ['docker-tag unknown key', { builders: [builder], 'post-processors': [{ type: 'docker-tag', bogus: 1 }] }],
  ['docker-save unknown key', { builders: [builder], 'post-processors': [{ type: 'docker-save', path: 'x', bogus: 1 }] }],
  ['docker-import unknown key', { builders: [builder], 'post-processors': [{ type: 'docker-import', bogus: 1 }] }],
  ['vagrant missing template', { builders: [builder], 'post-processors': [{ type: 'vagrant', vagrantfile_template: 'missing.rb' }] }],
  ['sleep bad duration', { builders: [builder], provisioners: [{ type: 'sleep', duration: 'abc' }] }],
  ['sleep unknown key', { builders: [builder], provisioners: [{ type: 'sleep', bogus: 1 }] }],
];

describe('docker, vagrant, sleep: configuration errors as Packer 1.6.6 words them', () => {
  before(async () => {
    requireTool(REAL_PACKER, 'packer');
    work = await mkdtemp(join(tmpdir(), 'packer-ts-dvalid-'));
  });
  after(async () => { if (work) await rm(work, { recursive: true, force: true }); });

  for (const [name, template] of CASES) {
    test(name, async () => {
      const p = await validate(REAL_PACKER, template);
      const t = await validate(PACKER_TS, template);
      assert.equal(p.code, 1, p.out);
      assert.equal(t.code, 1, t.out);
      assert.ok(/\S/.test(p.out), p.out);
      // byte for byte: the list's form too (packer.MultiError's "N error(s) occurred:", a lone
      // error without a list), which scripts read
      assert.equal(t.out, p.out);
    });
  }

  test('sleep: builds through both tools, with the same output', async () => {
    const tpl = { builders: [{ type: 'null', communicator: 'none' }], provisioners: [{ type: 'sleep', duration: '300ms' }, { type: 'sleep', duration: 1e6 }, { type: 'sleep' }] };
    const outs: string[] = [];
    for (const bin of [REAL_PACKER, PACKER_TS]) {
      const dir = await mkdtemp(join(work, 's-'));
      await writeFile(join(dir, 'template.json'), JSON.stringify(tpl));
      const r = await run(bin, ['build', '-color=false', 'template.json'], { cwd: dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      outs.push(r.stdout.replace(/after [^\n]*/g, 'after T'));
    }
    assert.equal(outs[1], outs[0]);
  });

  test('vagrant: an invalid provider_override lists the providers (Packer lists them in random order)', async () => {
    const tpl = { builders: [builder], 'post-processors': [{ type: 'vagrant', provider_override: 'nope' }] };
    const p = await validate(REAL_PACKER, tpl);
    const t = await validate(PACKER_TS, tpl);
    assert.equal(p.code, 1);
    assert.equal(t.code, 1);
    // a lone error, as Packer's; the list's order aside, the same text
    const providers = (o: string) => /Please choose from one of ([\s\S]*)$/.exec(o.replace(/\s+/g, ' '))?.[1]?.trim().split(/, /).sort();
    assert.deepEqual(providers(t.out), providers(p.out));
    const head = (o: string) => o.slice(0, o.indexOf('Please choose'));
    assert.equal(head(t.out), head(p.out));
    assert.match(head(t.out), /\n\nThe given provider_override nope is not valid\. $/);
  });

  test('vagrant: providers packer-ts cannot pack are rejected at validate time', async () => {
    for (const pp of [{ type: 'vagrant', provider_override: 'virtualbox' }]) {
      const t = await validate(PACKER_TS, { builders: [builder], 'post-processors': [pp] });
      assert.equal(t.code, 1, t.out);
      assert.match(t.out, /not supported by packer-ts yet: virtualbox/);
    }
    // a bad compression_level passes validate, as in Packer (the box's writing reports it)
    const level = { builders: [builder], 'post-processors': [{ type: 'vagrant', compression_level: 12 }] };
    assert.deepEqual(await validate(PACKER_TS, level), await validate(REAL_PACKER, level));
    const ov = await validate(PACKER_TS, { builders: [builder], 'post-processors': [{ type: 'vagrant', override: { docker: { bogus: 1 } } }] });
    assert.equal(ov.code, 1);
    assert.match(ov.out, /Error overriding config for docker: .*unknown configuration key: '"bogus"'/s);
  });
});
