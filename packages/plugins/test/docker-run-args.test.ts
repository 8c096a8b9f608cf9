/** run_command shapes the docker builder sends over the Engine API; every other shape goes to the docker command. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerCreateRequest } from '../src/builder/docker/run-args.ts';

test("Packer's default run_command and the builder's own flags", () => {
  const r = containerCreateRequest(['run', '--device', '/dev/null:/dev/x', '--cap-add', 'SYS_PTRACE', '--cap-drop', 'NET_RAW', '--privileged',
    '--tmpfs', '/scratch:size=1m', '-v', '/h:/c', '-d', '-i', '-t', '--network=none', '--pull=never', '-u', '1000:1000', '--entrypoint=/bin/sh', '--', 'tiny:1']);
  assert.deepEqual(r, {
    pullNever: true,
    body: {
      Image: 'tiny:1', Entrypoint: ['/bin/sh'], Tty: true, OpenStdin: true, StdinOnce: false, AttachStdin: false, AttachStdout: false, AttachStderr: false,
      User: '1000:1000',
      HostConfig: {
        Binds: ['/h:/c'], NetworkMode: 'none', CapAdd: ['SYS_PTRACE'], CapDrop: ['NET_RAW'], Privileged: true,
        Tmpfs: { '/scratch': 'size=1m' }, Devices: [{ PathOnHost: '/dev/null', PathInContainer: '/dev/x', CgroupPermissions: 'rwm' }],
      },
    },
  });
  assert.deepEqual(containerCreateRequest(['run', '-d', 'img', 'sleep', '9'])?.body.Cmd, ['sleep', '9']);
});

test('other shapes are left to the docker command', () => {
  for (const args of [
    ['run', '-i', '-t', '--', 'img'], // not detached
    ['run', '-d', '--name', 'x', 'img'], // unknown flag
    ['run', '-dit', 'img'], // combined short flags
    ['run', '-d', '--pull=always', 'img'],
    ['run', '-d', '-v', 'named:/data', 'img'], // a named volume
    ['run', '-d'], // no image
    ['create', '-d', 'img'],
  ]) assert.equal(containerCreateRequest(args), undefined, args.join(' '));
});
