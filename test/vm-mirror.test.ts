/**
 * test/vm/make-vm-image.sh takes its Debian mirror from the machine's apt
 * sources (one-line and deb822 formats), and no package host is written
 * anywhere in the repository.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers/requires.ts';

const SCRIPT = join(ROOT, 'test/vm/make-vm-image.sh');

async function aptEtc(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-apt-'));
  await mkdir(join(dir, 'sources.list.d'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

function printMirrors(etc: string) {
  return spawnSync('bash', [SCRIPT, '--print-mirrors'], { env: { ...process.env, APT_ETC: etc }, encoding: 'utf8', timeout: 30_000 });
}

test('one-line sources: options and comments are skipped, the first /debian URI wins', async () => {
  const etc = await aptEtc({
    'sources.list': [
      '# deb http://commented.invalid/debian bookworm main',
      'deb-src http://src-only.invalid/debian bookworm main',
      'deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] http://mirror-a.invalid/debian/ bookworm main',
      'deb http://mirror-b.invalid/debian bookworm main',
      'deb http://sec-a.invalid/debian-security bookworm-security main',
      '',
    ].join('\n'),
  });
  try {
    const r = printMirrors(etc);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [
      'deb http://mirror-a.invalid/debian bookworm main',
      'deb http://mirror-a.invalid/debian bookworm-updates main',
      'deb http://sec-a.invalid/debian-security bookworm-security main',
    ]);
  } finally { await rm(etc, { recursive: true, force: true }); }
});

test('deb822 .sources: URIs fields of every stanza; files apt ignores are ignored', async () => {
  const etc = await aptEtc({
    'sources.list.d/debian.sources': [
      'Types: deb',
      '# http://snapshot.invalid/archive/debian/20250520T000000Z',
      'URIs: http://mirror-c.invalid/debian',
      'Suites: bookworm bookworm-updates',
      'Components: main',
      '',
      'Types: deb',
      'URIs: http://sec-c.invalid/debian-security',
      'Suites: bookworm-security',
      'Components: main',
      '',
    ].join('\n'),
    'sources.list.d/other.list.disabled': 'deb http://disabled.invalid/debian bookworm main\n',
    'sources.list.d/node.sources': 'Types: deb\nURIs: https://third-party.invalid/node_20.x\nSuites: nodistro\n',
  });
  try {
    const r = printMirrors(etc);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [
      'deb http://mirror-c.invalid/debian bookworm main',
      'deb http://mirror-c.invalid/debian bookworm-updates main',
      'deb http://sec-c.invalid/debian-security bookworm-security main',
    ]);
  } finally { await rm(etc, { recursive: true, force: true }); }
});

test('no Debian mirror in the apt sources: a clear error, exit 1', async () => {
  const etc = await aptEtc({ 'sources.list': 'deb https://third-party.invalid/apt stable main\n' });
  try {
    const r = printMirrors(etc);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^make-image: no Debian mirror \(a URI ending in \/debian\) in .*\/sources\.list or .*\/sources\.list\.d\/\n$/);
  } finally { await rm(etc, { recursive: true, force: true }); }
});

test('the machine\'s own sources give a mirror', () => {
  const r = printMirrors('/etc/apt');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^deb \S+ bookworm main\n/);
});

test('no package host name is written in the repository', async () => {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  const host = /\b[a-z0-9.-]+\.(debian\.org|debian\.net|ubuntu\.com|npmjs\.(org|com)|nodesource\.com)\b/i;
  const hits: string[] = [];
  for (const f of files) {
    let text: string;
    try { text = await readFile(join(ROOT, f), 'utf8'); } catch { continue; }
    const m = host.exec(text);
    if (m) hits.push(`${f}: ${m[0]}`);
  }
  assert.deepEqual(hits, []);
});
