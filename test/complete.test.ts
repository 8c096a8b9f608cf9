/**
 * Shell completion: `packer-ts -autocomplete-install` / `-autocomplete-uninstall` on a temp HOME
 * (bash and zsh rc files, what a real bash then registers), and the answers to COMP_LINE requests,
 * compared live with Packer 1.6.6's for commands and flags (Packer completes no file names:
 * template files are ours, checked on a temp directory).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKER_TS, REAL_PACKER, run } from './helpers/run.ts';

const requirePacker = () => assert.ok(existsSync(REAL_PACKER), `this test compares with Packer 1.6.6: apt-get install -y packer (${REAL_PACKER} is missing)`);

async function complete(bin: string, line: string, cwd: string): Promise<string[]> {
  const r = await run(bin, [], { cwd, env: { COMP_LINE: line, COMP_POINT: String(line.length) } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout.split('\n').filter(Boolean).sort();
}

test('COMP_LINE: commands and flags as Packer 1.6.6 completes them', async () => {
  requirePacker();
  const dir = mkdtempSync(join(tmpdir(), 'packer-ts-complete-'));
  try {
    const cases = ['build -', 'build -f', 'build -var-file=x -', 'validate -', 'console -', 'fix -', 'fmt -', 'hcl2_upgrade -', 'inspect -', 'version -', '-', 'b', 'va', 'x', 'bogus -', 'bogus b', 'build bogus -'];
    for (const c of cases) {
      const theirs = await complete(REAL_PACKER, `packer ${c}`, dir);
      const ours = await complete(PACKER_TS, `packer-ts ${c}`, dir);
      assert.deepEqual(ours, theirs, `completions of "${c}"`);
    }
    // Commands: Packer's, and `init`, `plugins` (Packer 1.7+).
    const theirs = await complete(REAL_PACKER, 'packer ', dir);
    const ours = await complete(PACKER_TS, 'packer-ts ', dir);
    assert.deepEqual(ours, ['build', 'console', 'fix', 'fmt', 'hcl2_upgrade', 'init', 'inspect', 'plugin', 'plugins', 'validate', 'version']);
    for (const c of ours) if (c !== 'plugins' && c !== 'init') assert.ok(theirs.includes(c), `Packer has ${c}`);
    // COMP_POINT cuts the line: the cursor after "packer-ts b" in "packer-ts build".
    const r = await run(PACKER_TS, [], { cwd: dir, env: { COMP_LINE: 'packer-ts build', COMP_POINT: '11' } });
    assert.equal(r.stdout, 'build\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('COMP_LINE: template files, directories and var files (beyond Packer)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'packer-ts-complete-'));
  try {
    for (const f of ['a.json', 'b.pkr.hcl', 'c.txt', 'vars.pkrvars.hcl', 'sub/d.json', 'sub/e.pkr.json', '.hidden.json']) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), '{}');
    }
    assert.deepEqual(await complete(PACKER_TS, 'packer-ts build ', dir), ['a.json', 'b.pkr.hcl', 'sub/']);
    assert.deepEqual(await complete(PACKER_TS, 'packer-ts validate -only=x sub/', dir), ['sub/d.json', 'sub/e.pkr.json']);
    assert.deepEqual(await complete(PACKER_TS, 'packer-ts build .h', dir), ['.hidden.json']);
    assert.deepEqual(await complete(PACKER_TS, 'packer-ts build -var-file v', dir), ['vars.pkrvars.hcl']);
    assert.deepEqual(await complete(PACKER_TS, 'packer-ts build -var ', dir), [], 'a -var value is not a file');
    assert.deepEqual(await complete(PACKER_TS, 'packer-ts version ', dir), []);
    assert.deepEqual(await complete(PACKER_TS, `packer-ts inspect ${dir}/s`, dir), [`${dir}/sub/`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('-autocomplete-install / -uninstall on a temp HOME: bash and zsh, then a real bash registers it', async () => {
  const home = mkdtempSync(join(tmpdir(), 'packer-ts-achome-'));
  const env = { HOME: home, ZDOTDIR: undefined };
  const bin = execFileSync('readlink', ['-f', PACKER_TS], { encoding: 'utf8' }).trim();
  try {
    // No rc file at all: nothing to install into.
    let r = await run(PACKER_TS, ['-autocomplete-install'], { cwd: home, env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Did not find any shells to install/);

    const bashrc = join(home, '.bashrc');
    const zshrc = join(home, '.zshrc');
    writeFileSync(bashrc, '# my bashrc\nalias ll="ls -l"\n');
    writeFileSync(zshrc, '# my zshrc\n');
    r = await run(PACKER_TS, ['-autocomplete-install'], { cwd: home, env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(bashrc, 'utf8'), `# my bashrc\nalias ll="ls -l"\n\ncomplete -C ${bin} packer-ts\n`);
    assert.equal(readFileSync(zshrc, 'utf8'), `# my zshrc\n\nautoload -U +X bashcompinit && bashcompinit\ncomplete -o nospace -C ${bin} packer-ts\n`);

    // What bash makes of it: the completion is registered for packer-ts.
    const reg = execFileSync('bash', ['-c', `source ${bashrc}; complete -p packer-ts`], { encoding: 'utf8', env: { ...process.env, HOME: home } });
    assert.equal(reg.trim(), `complete -C '${bin}' packer-ts`);

    // Twice: an error naming the file, nothing changed.
    r = await run(PACKER_TS, ['-autocomplete-install'], { cwd: home, env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`already installed in ${bashrc.replace(/[.]/g, '\\.')}`));
    assert.equal(readFileSync(bashrc, 'utf8').split('complete -C').length, 2);

    r = await run(PACKER_TS, ['-autocomplete-uninstall'], { cwd: home, env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(bashrc, 'utf8'), '# my bashrc\nalias ll="ls -l"\n\n');
    assert.equal(readFileSync(zshrc, 'utf8'), '# my zshrc\n\nautoload -U +X bashcompinit && bashcompinit\n');
    r = await run(PACKER_TS, ['-autocomplete-uninstall'], { cwd: home, env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /does not installed in/);

    // Only ~/.profile: bash's completion goes there (posener/complete's order).
    rmSync(bashrc);
    rmSync(zshrc);
    writeFileSync(join(home, '.profile'), '');
    r = await run(PACKER_TS, ['-autocomplete-install'], { cwd: home, env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(home, '.profile'), 'utf8'), `\ncomplete -C ${bin} packer-ts\n`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
