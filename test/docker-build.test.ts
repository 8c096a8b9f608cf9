/**
 * The docker builder against a private dockerd, side by side with Packer 1.6.6's docker
 * builder (the oracle): the same template through both tools must give images with the same
 * files (path, type, mode, owner, content), the same config and tags, the same export_path
 * tarball, the same provisioner output, and the same failures, never leaving a container.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { PACKER_TS, REAL_PACKER, run, type RunResult } from './helpers/run.ts';
import { spawn } from 'node:child_process';
import { allTags, imageConfig, imageFiles, importTinyImage, requireTool, startDockerd, tarListing, type Dockerd } from './helpers/docker.ts';

let d: Dockerd;
let work: string;

// --pull=never: a missing image must not send the daemon to a registry.
const RUN = ['-d', '-i', '-t', '--network=none', '--pull=never', '--entrypoint=/bin/sh', '--', '{{.Image}}'];

interface Tool { name: string; bin: string }
const TOOLS: Tool[] = [{ name: 'packer', bin: REAL_PACKER }, { name: 'ts', bin: PACKER_TS }];

/** Runs `build` of `template` (an object) with `tool` in a fresh directory holding `files`. */
async function build(tool: Tool, template: unknown, opts: { files?: Record<string, string>; args?: string[]; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult & { cwd: string }> {
  const cwd = opts.cwd ?? await mkdtemp(join(work, `${tool.name}-`));
  for (const [p, text] of Object.entries(opts.files ?? {})) {
    await mkdir(join(cwd, p, '..'), { recursive: true });
    await writeFile(join(cwd, p), text);
  }
  await writeFile(join(cwd, 'template.json'), JSON.stringify(template, null, 2));
  const r = await run(tool.bin, ['build', '-color=false', ...(opts.args ?? []), 'template.json'], {
    cwd, env: { DOCKER_HOST: d.host, HOME: join(work, `home-${tool.name}`), ...opts.env }, timeoutMs: 180_000,
  });
  return { ...r, cwd };
}

/** Provisioner output lines ("    docker: ...") of a build. */
function remoteLines(out: string): string[] {
  return out.split('\n').filter((l) => l.startsWith('    docker: ') && !/Run command|Container ID|Image ID/.test(l));
}

/** The private daemon's image ids, as a set (docker lists images made in the same second in either order). */
async function imageSet(flags: string[]): Promise<string[]> {
  return (await d.docker(['images', ...flags])).stdout.split('\n').filter(Boolean).sort();
}

describe('docker builder: parity with Packer 1.6.6', { concurrency: false }, () => {
  before(async () => {
    requireTool(REAL_PACKER, 'packer');
    work = await mkdtemp(join(tmpdir(), 'packer-ts-docker-'));
    d = await startDockerd();
    await importTinyImage(d);
  });
  after(async () => {
    await d?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('commit: same files, config, tags and provisioner output', async () => {
    const template = (repo: string) => ({
      variables: { net: '--network=none' },
      builders: [{
        type: 'docker', image: 'tiny:1', pull: false, commit: true,
        run_command: ['-d', '-i', '-t', '{{user `net`}}', '--entrypoint=/bin/sh', '--', '{{.Image}}'],
        author: 'Packer TS <ts@example.com>', message: 'built by a test',
        changes: [
          'ENV FOO=bar BAZ=qux', 'LABEL org.example.a=b version=1', 'WORKDIR /srv', 'EXPOSE 8080 53/udp',
          'CMD ["-c", "echo hi"]', 'ENTRYPOINT ["/bin/sh"]', 'USER root', 'ONBUILD RUN echo onbuild', 'VOLUME /data',
        ],
        tmpfs: ['/scratch'], cap_drop: ['NET_RAW'], cap_add: ['SYS_PTRACE'], device: ['/dev/null:/dev/xnull'],
        volumes: { [join(work, 'shared')]: '/shared' },
      }],
      provisioners: [
        { type: 'shell', inline: ['echo provisioned > /root/marker', 'mkdir -p /opt/app /usr/local/bin && chmod 750 /opt/app', 'grep -c " /scratch " /proc/mounts',
          'ls -l /dev/xnull | cut -c1', 'grep CapEff /proc/self/status', 'ls /shared', 'echo "id={{build `ID`}}" | cut -c1-3'] },
        { type: 'shell', inline: ['id -u', 'echo to-stderr >&2'], execute_command: "chmod +x {{.Path}}; {{.Vars}} {{.Path}}" },
        { type: 'file', source: 'files/app.conf', destination: '/opt/app/app.conf' },
        { type: 'file', source: 'files/tree', destination: '/opt/tree' },
        { type: 'file', source: 'files/tree/', destination: '/opt/contents' },
        { type: 'file', source: 'files/run.sh', destination: '/usr/local/bin/' },
        { type: 'file', direction: 'download', source: '/etc/passwd', destination: 'passwd.copy' },
        { type: 'shell', script: 'files/run.sh', environment_vars: ['GREETING=hello there'] },
      ],
      'post-processors': [[{ type: 'docker-tag', repository: repo, tags: ['v1', 'v2'] }]],
    });
    await mkdir(join(work, 'shared'), { recursive: true });
    await writeFile(join(work, 'shared', 'host-file'), 'from the host\n');
    const files = {
      'files/app.conf': 'key = value\n',
      'files/tree/a.txt': 'a\n',
      'files/tree/sub/b.txt': 'b\n',
      'files/run.sh': '#!/bin/sh\necho "$GREETING from run.sh"\n',
    };
    const before = await allTags(d);
    const p = await build(TOOLS[0]!, template('parity-packer'), { files });
    assert.equal(p.code, 0, p.stdout + p.stderr);
    const t = await build(TOOLS[1]!, template('parity-ts'), { files });
    assert.equal(t.code, 0, t.stdout + t.stderr);
    assert.deepEqual(await d.containers(), [], 'no container left');

    assert.deepEqual(remoteLines(t.stdout + t.stderr), remoteLines(p.stdout + p.stderr));
    assert.ok(remoteLines(t.stdout).includes('    docker: hello there from run.sh'), t.stdout);
    assert.equal(await readFile(join(t.cwd, 'passwd.copy'), 'utf8'), await readFile(join(p.cwd, 'passwd.copy'), 'utf8'));

    const [pf, tf] = [await imageFiles(d, 'parity-packer:v1'), await imageFiles(d, 'parity-ts:v1')];
    assert.ok(tf.some((e) => e.path === 'opt/tree/sub/b.txt'), 'directory upload');
    assert.ok(tf.some((e) => e.path === 'opt/contents/sub/b.txt'), 'directory contents upload');
    assert.deepEqual(tf, pf);
    assert.deepEqual(await imageConfig(d, 'parity-ts:v1'), await imageConfig(d, 'parity-packer:v1'));

    // The same through the docker command only (the path for TLS, ssh:// and contexts).
    const c = await build(TOOLS[1]!, template('parity-cli'), { files, env: { PACKER_TS_DOCKER_CLI: '1' } });
    assert.equal(c.code, 0, c.stdout + c.stderr);
    assert.deepEqual(remoteLines(c.stdout + c.stderr), remoteLines(p.stdout + p.stderr));
    assert.deepEqual(await imageFiles(d, 'parity-cli:v1'), pf);
    assert.deepEqual(await imageConfig(d, 'parity-cli:v1'), await imageConfig(d, 'parity-packer:v1'));
    await d.docker(['rmi', 'parity-cli:v1', 'parity-cli:v2']);

    const tags = (await allTags(d)).filter((x) => !before.includes(x));
    assert.deepEqual(tags.filter((x) => x.startsWith('parity-ts:')).map((x) => x.split(':')[1]), ['v1', 'v2']);
    assert.deepEqual(tags.map((x) => x.replace('parity-packer', 'parity-ts')).sort(), [...tags.filter((x) => x.startsWith('parity-ts:')), ...tags.filter((x) => x.startsWith('parity-ts:'))].sort());
    // the artifacts, as the final summary lists them
    const arts = (o: string, repo: string) => o.split('\n').filter((l) => l.startsWith('--> ')).map((l) => l.replace(/sha256:[0-9a-f]{64}/, 'ID').replaceAll(repo, 'REPO'));
    assert.deepEqual(arts(t.stdout, 'parity-ts'), arts(p.stdout, 'parity-packer'));
  });

  test('fix_upload_owner chowns uploads to the container user; false leaves root', async () => {
    const template = (repo: string, fix: boolean) => ({
      builders: [{ type: 'docker', image: 'tiny:1', pull: false, commit: true, fix_upload_owner: fix,
        run_command: ['-d', '-i', '-t', '--network=none', '-u', '1000:1000', '--entrypoint=/bin/sh', '--', '{{.Image}}'] }],
      provisioners: [
        { type: 'file', source: 'up.txt', destination: '/tmp/up.txt' },
        { type: 'file', source: 'dir', destination: '/tmp/dir' },
      ],
      'post-processors': [[{ type: 'docker-tag', repository: repo, tags: ['1'] }]],
    });
    const files = { 'up.txt': 'up\n', 'dir/in.txt': 'in\n' };
    for (const fix of [true, false]) {
      const p = await build(TOOLS[0]!, template(`own-packer-${fix}`, fix), { files });
      assert.equal(p.code, 0, p.stdout);
      const t = await build(TOOLS[1]!, template(`own-ts-${fix}`, fix), { files });
      assert.equal(t.code, 0, t.stdout);
      const pick = (l: Awaited<ReturnType<typeof imageFiles>>) => l.filter((e) => e.path.startsWith('tmp/'));
      const tf = pick(await imageFiles(d, `own-ts-${fix}:1`));
      assert.deepEqual(tf, pick(await imageFiles(d, `own-packer-${fix}:1`)));
      assert.equal(tf.find((e) => e.path === 'tmp/up.txt')?.uid, fix ? 1000 : 0);
    }
    assert.deepEqual(await d.containers(), []);
  });

  test('exec_user runs commands as that user', async () => {
    // The container runs as 1234:5678 (uploads are chowned to it); commands run as 1234:999.
    const ok = { builders: [{ type: 'docker', image: 'tiny:1', pull: false, discard: true, exec_user: '1234:999',
      run_command: ['-d', '-i', '-t', '--network=none', '-u', '1234:5678', '--entrypoint=/bin/sh', '--', '{{.Image}}'] }],
    provisioners: [{ type: 'shell', inline: ['id -u; id -g'] }] };
    const p = await build(TOOLS[0]!, ok);
    const t = await build(TOOLS[1]!, ok);
    assert.equal(p.code, 0, p.stdout);
    assert.equal(t.code, 0, t.stdout);
    assert.deepEqual(remoteLines(t.stdout), remoteLines(p.stdout));
    assert.deepEqual(remoteLines(t.stdout), ['    docker: 1234', '    docker: 999']);
    // A script uploaded as root (mode 0600) cannot be read by another exec_user: the same failure.
    const denied = { builders: [{ type: 'docker', image: 'tiny:1', pull: false, discard: true, exec_user: '1234', run_command: RUN }],
      provisioners: [{ type: 'shell', inline: ['id -u'], execute_command: 'sh {{.Path}}' }] };
    const pd = await build(TOOLS[0]!, denied);
    const td = await build(TOOLS[1]!, denied);
    assert.equal(pd.code, 1, pd.stdout);
    assert.equal(td.code, 1, td.stdout);
    for (const r of [pd, td]) assert.match(r.stdout + r.stderr, /Permission denied[\s\S]*Script exited with non-zero exit status: 2/);
    assert.deepEqual(await d.containers(), []);
  });

  test('downloads of directories (Packer 1.6.6 has none for docker: "DownloadDir is not implemented")', async () => {
    const t = await build(TOOLS[1]!, {
      builders: [{ type: 'docker', image: 'tiny:1', pull: false, discard: true, run_command: RUN }],
      provisioners: [
        { type: 'shell', inline: ['mkdir -p /opt/d/sub', 'echo one > /opt/d/one', 'echo two > /opt/d/sub/two', 'chmod 640 /opt/d/one'] },
        { type: 'file', direction: 'download', source: '/opt/d/', destination: 'contents/' },
      ],
    });
    assert.equal(t.code, 0, t.stdout + t.stderr);
    assert.equal(await readFile(join(t.cwd, 'contents/one'), 'utf8'), 'one\n');
    assert.equal(await readFile(join(t.cwd, 'contents/sub/two'), 'utf8'), 'two\n');
    assert.equal((await stat(join(t.cwd, 'contents/one'))).mode & 0o777, 0o640);
  });

  test('export_path: same tarball files; discard: nothing kept', async () => {
    const template = (out: string) => ({
      builders: [{ type: 'docker', image: 'tiny:1', pull: false, export_path: out, run_command: RUN }],
      provisioners: [{ type: 'shell', inline: ['echo exported > /root/e', 'chmod 600 /root/e'] }],
    });
    const p = await build(TOOLS[0]!, template('out/p.tar'));
    assert.equal(p.code, 0, p.stdout);
    const t = await build(TOOLS[1]!, template('out/t.tar'));
    assert.equal(t.code, 0, t.stdout);
    const [pl, tl] = [await tarListing(join(p.cwd, 'out/p.tar')), await tarListing(join(t.cwd, 'out/t.tar'))];
    assert.ok(tl.some((e) => e.path === 'root/e' && e.mode === 0o600));
    assert.deepEqual(tl, pl);
    assert.match(t.stdout, /--> docker: Exported Docker file: out\/t\.tar/);
    const images = await imageSet(['-q']);
    const disc = await build(TOOLS[1]!, { builders: [{ type: 'docker', image: 'tiny:1', pull: false, discard: true, run_command: RUN }] });
    assert.equal(disc.code, 0, disc.stdout);
    assert.deepEqual(await imageSet(['-q']), images, 'discard makes no image');
    assert.deepEqual(await d.containers(), []);
  });

  test('failures: a failing provisioner, a missing image: exit 1, no container left', async () => {
    const failing = { builders: [{ type: 'docker', image: 'tiny:1', pull: false, commit: true, run_command: RUN }],
      provisioners: [{ type: 'shell', inline: ['echo before', 'exit 3'] }] };
    const missing = { builders: [{ type: 'docker', image: 'no-such-image:0', pull: false, commit: true, run_command: RUN }] };
    const images = await imageSet(['-qa']);
    for (const [tpl, expect] of [[failing, /Script exited with non-zero exit status: 3/], [missing, /Error running container: Docker exited with a non-zero exit status\.\nStderr: .*No such image: no-such-image:0/]] as const) {
      const p = await build(TOOLS[0]!, tpl);
      const t = await build(TOOLS[1]!, tpl);
      assert.equal(p.code, 1, p.stdout);
      assert.equal(t.code, 1, t.stdout + t.stderr);
      assert.match(p.stdout, expect);
      assert.match(t.stdout + t.stderr, expect);
      assert.deepEqual(await d.containers(), [], 'no container left');
    }
    assert.deepEqual(await imageSet(['-qa']), images, 'no image made');
  });

  // Packer 1.6.6 lets the running command end (its docker communicator does not stop it); packer-ts stops it.
  test('Ctrl-C during a provisioner removes the container', async () => {
    const cwd = await mkdtemp(join(work, 'int-'));
    await writeFile(join(cwd, 'template.json'), JSON.stringify({
      builders: [{ type: 'docker', image: 'tiny:1', pull: false, commit: true, run_command: RUN }],
      provisioners: [{ type: 'shell', inline: ['echo sleeping', 'sleep 15'] }],
    }));
    for (const tool of TOOLS) {
      // As a terminal's Ctrl-C: SIGINT to the whole process group (Packer's wrapper process ignores
      // a SIGINT of its own and leaves it to its child, in the same group).
      const child = spawn(tool.bin, ['build', '-color=false', 'template.json'], {
        cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, CHECKPOINT_DISABLE: '1', DOCKER_HOST: d.host, HOME: join(work, `home-${tool.name}`) },
      });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (x: string) => { out += x; });
      child.stderr.setEncoding('utf8').on('data', (x: string) => { out += x; });
      const done = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
      const end = Date.now() + 60_000;
      while (!out.includes('docker: sleeping') && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      assert.ok(out.includes('docker: sleeping'), out);
      assert.equal((await d.containers()).length, 1);
      process.kill(-child.pid!, 'SIGINT');
      const code = await Promise.race([done, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 90_000).unref())]);
      if (code === 'timeout') { process.kill(-child.pid!, 'SIGKILL'); assert.fail(`${tool.name} did not end after SIGINT:\n${out}`); }
      assert.equal(code, 1, `${tool.name}\n${out}`);
      assert.match(out, /Build 'docker' errored after .*: Build was cancelled\.|Cleanly cancelled builds after being interrupted/, out);
      assert.deepEqual(await d.containers(), [], `${tool.name}: no container left\n${out}`);
    }
  });
});
