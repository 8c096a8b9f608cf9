/** The test-requirement helpers: a missing tool fails with the package to install, from scripts/test-deps.apt. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installHint, missingTools, REAL_PACKER, requireTools } from './helpers/requires.ts';

test('the install hint comes from scripts/test-deps.apt (by command, by path, by package)', () => {
  assert.equal(installHint(REAL_PACKER), 'apt-get install packer');
  assert.equal(installHint('/usr/sbin/sshd'), 'apt-get install openssh-server');
  assert.equal(installHint('qemu-img'), 'apt-get install qemu-utils');
  assert.equal(installHint('fsck.fat'), 'apt-get install dosfstools');
  assert.throws(() => installHint('no-such-tool'), /no-such-tool is not listed in scripts\/test-deps\.apt: add "PACKAGE no-such-tool" there/);
});

test('a missing tool fails the caller, naming what to install; present ones pass', (t) => {
  const path = process.env.PATH;
  t.after(() => { process.env.PATH = path; });
  process.env.PATH = '/nonexistent';
  assert.equal(missingTools('qemu-img', 'xorriso'), 'needs qemu-img: apt-get install qemu-utils; needs xorriso: apt-get install xorriso');
  assert.throws(() => requireTools('qemu-img'), { message: 'needs qemu-img: apt-get install qemu-utils' });
  process.env.PATH = path;
  assert.equal(missingTools('gzip'), undefined);
});
