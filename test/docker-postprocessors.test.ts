/**
 * docker-tag, docker-save, docker-import, docker-push and the vagrant post-processor's docker
 * box, side by side with Packer 1.6.6 on a private dockerd and a local registry (Debian's
 * docker-registry on 127.0.0.1, basic auth): the same chains give the same tags, saved files,
 * imported images, pushed tags, boxes and chaining errors. Login secrets never reach the output.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKER_TS, REAL_PACKER, run, type RunResult } from './helpers/run.ts';
import {
  allTags, freePort, imageConfig, imageFiles, importTinyImage, requireTool, startDockerd, startRegistry, tarListing,
  type Dockerd, type Registry, type TarEntry,
} from './helpers/docker.ts';

let d: Dockerd;
let reg: Registry;
let work: string;

const RUN = ['-d', '-i', '-t', '--network=none', '--pull=never', '--entrypoint=/bin/sh', '--', '{{.Image}}'];
const TOOLS = [{ name: 'packer', bin: REAL_PACKER }, { name: 'ts', bin: PACKER_TS }] as const;
type Tool = (typeof TOOLS)[number];

async function build(tool: Tool, template: unknown, files: Record<string, string> = {}): Promise<RunResult & { cwd: string; out: string }> {
  const cwd = await mkdtemp(join(work, `${tool.name}-`));
  for (const [p, text] of Object.entries(files)) {
    await mkdir(join(cwd, p, '..'), { recursive: true });
    await writeFile(join(cwd, p), text);
  }
  await writeFile(join(cwd, 'template.json'), JSON.stringify(template, null, 2));
  const r = await run(tool.bin, ['build', '-color=false', 'template.json'], {
    cwd, env: { DOCKER_HOST: d.host, HOME: join(work, `home-${tool.name}`) }, timeoutMs: 180_000,
  });
  return { ...r, cwd, out: r.stdout + r.stderr };
}

/** Both tools on `template(tool)`; both must exit `code`. */
async function both(template: (t: Tool) => unknown, code = 0, files: Record<string, string> = {}) {
  const p = await build(TOOLS[0], template(TOOLS[0]), files);
  assert.equal(p.code, code, `packer:\n${p.out}`);
  const t = await build(TOOLS[1], template(TOOLS[1]), files);
  assert.equal(t.code, code, `packer-ts:\n${t.out}`);
  assert.deepEqual(await d.containers(), [], 'no container left');
  return { p, t };
}

/** The contents of a `docker save` tarball: its repo tags and the files of its layers. */
async function savedImage(file: string, repo: string): Promise<{ repoTags: string[]; layers: TarEntry[][] }> {
  const tar = await import('tar');
  const dir = await mkdtemp(join(work, 'save-'));
  await tar.x({ file, cwd: dir });
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { RepoTags: string[] | null; Layers: string[] }[];
  const layers: TarEntry[][] = [];
  for (const l of manifest[0]!.Layers) layers.push(await tarListing(join(dir, l)));
  return { repoTags: (manifest[0]!.RepoTags ?? []).map((t) => t.replace(repo, 'REPO')), layers };
}

const summary = (out: string, repo: string) => out.split('\n').filter((l) => l.startsWith('--> '))
  .map((l) => l.replace(/sha256:[0-9a-f]{64}/g, 'ID').replaceAll(repo, 'REPO'));
const ppLines = (out: string, repo: string) => out.split('\n').filter((l) => /^ {4}docker \(docker-/.test(l))
  .map((l) => l.replace(/sha256:[0-9a-f]{64}/g, 'ID').replaceAll(repo, 'REPO'));

describe('docker post-processors: parity with Packer 1.6.6', { concurrency: false }, () => {
  before(async () => {
    requireTool(REAL_PACKER, 'packer');
    work = await mkdtemp(join(tmpdir(), 'packer-ts-dockerpp-'));
    const port = await freePort();
    reg = await startRegistry(port);
    d = await startDockerd(['--insecure-registry', `127.0.0.1:${port}`]);
    await importTinyImage(d);
  });
  after(async () => {
    await d?.stop();
    await reg?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('commit, docker-tag, docker-save: same tags and saved image', async () => {
    const repo = (t: Tool) => `saved-${t.name}`;
    const { p, t } = await both((tool) => ({
      builders: [{ type: 'docker', image: 'tiny:1', pull: false, commit: true, run_command: RUN, changes: ['ENV SAVED=1'] }],
      provisioners: [{ type: 'shell', inline: ['echo saved > /root/s'] }],
      'post-processors': [[
        { type: 'docker-tag', repository: repo(tool), tags: ['a', 'b'] },
        { type: 'docker-save', path: 'image.tar' },
      ]],
    }));
    assert.deepEqual(ppLines(t.out, 'saved-ts'), ppLines(p.out, 'saved-packer'));
    assert.deepEqual(summary(t.out, 'saved-ts'), summary(p.out, 'saved-packer'));
    const [ps, ts] = [await savedImage(join(p.cwd, 'image.tar'), 'saved-packer'), await savedImage(join(t.cwd, 'image.tar'), 'saved-ts')];
    assert.ok(ts.layers.flat().some((e) => e.path === 'root/s'), 'the provisioned file is in the saved image');
    assert.deepEqual(ts, ps);
    assert.deepEqual((await allTags(d)).filter((x) => x.startsWith('saved-ts:')), ['saved-ts:a', 'saved-ts:b']);
  });

  test('export_path, docker-import (changes), docker-tag: same image', async () => {
    const { p, t } = await both((tool) => ({
      builders: [{ type: 'docker', image: 'tiny:1', pull: false, export_path: 'c.tar', run_command: RUN }],
      provisioners: [{ type: 'shell', inline: ['echo imported > /root/i'] }],
      'post-processors': [[
        { type: 'docker-import', repository: `imp-${tool.name}`, tag: 'x', changes: ['ENV IMPORTED=yes', 'CMD ["/bin/sh"]', 'WORKDIR /root'] },
        { type: 'docker-tag', repository: `imp2-${tool.name}`, tags: ['y'] },
      ]],
    }));
    assert.deepEqual(ppLines(t.out, 'ts').filter((l) => !l.includes('Imported ID')), ppLines(p.out, 'packer').filter((l) => !l.includes('Imported ID')));
    assert.deepEqual(summary(t.out, 'ts'), summary(p.out, 'packer'));
    assert.deepEqual(await imageConfig(d, 'imp2-ts:y'), await imageConfig(d, 'imp2-packer:y'));
    assert.deepEqual(await imageFiles(d, 'imp2-ts:y'), await imageFiles(d, 'imp2-packer:y'));
    assert.ok((await allTags(d)).includes('imp-ts:x'));
  });

  test('docker-push with login to a local registry; builder login pulls from it; the password is never shown', async () => {
    const name = (t: Tool) => `${reg.address}/pushed-${t.name}`;
    const login = { login: true, login_server: reg.address, login_username: reg.user, login_password: '{{user `pw`}}' };
    const { p, t } = await both((tool) => ({
      variables: { pw: reg.password },
      builders: [{ type: 'docker', image: 'tiny:1', pull: false, commit: true, run_command: RUN }],
      'post-processors': [[
        { type: 'docker-tag', repository: name(tool), tags: ['one', 'two'] },
        { type: 'docker-push', ...login },
      ]],
    }));
    assert.deepEqual(await reg.tags('pushed-ts'), ['one', 'two']);
    assert.deepEqual(await reg.tags('pushed-ts'), await reg.tags('pushed-packer'));
    const pushLines = (o: string, n: string) => o.split('\n').filter((l) => /docker-push\): (Pushing|Logging|Login Succeeded)/.test(l)).map((l) => l.replaceAll(n, 'N'));
    assert.deepEqual(pushLines(t.out, name(TOOLS[1])), pushLines(p.out, name(TOOLS[0])));
    assert.ok(!t.out.includes(reg.password), 'password printed');

    // The builder pulls a private image after logging in; without login the pull fails.
    await d.docker(['rmi', `${name(TOOLS[0])}:one`]);
    await d.docker(['rmi', `${name(TOOLS[1])}:one`]);
    const pull = (tool: Tool, withLogin: boolean) => ({
      variables: { pw: reg.password },
      builders: [{ type: 'docker', image: `${name(tool)}:one`, pull: true, discard: true, run_command: RUN, ...(withLogin ? login : {}) }],
    });
    const ok = await both((tool) => pull(tool, true));
    assert.match(ok.t.out, /Pulling Docker image: .*pushed-ts:one[\s\S]*Logging in\.\.\.[\s\S]*Logging out\.\.\./);
    assert.ok(!ok.t.out.includes(reg.password), 'password printed');
    await d.docker(['rmi', `${name(TOOLS[0])}:one`]);
    await d.docker(['rmi', `${name(TOOLS[1])}:one`]);
    const denied = await both((tool) => pull(tool, false), 1);
    for (const r of [denied.p, denied.t]) assert.match(r.out, /Error pulling Docker image: Bad exit status: 1/);
  });

  test('chaining: artifacts a post-processor cannot take fail as in Packer', async () => {
    const cases: [unknown, RegExp][] = [
      [{ builders: [{ type: 'docker', image: 'tiny:1', pull: false, export_path: 'c.tar', run_command: RUN }], 'post-processors': [{ type: 'docker-save', path: 's.tar' }] },
        /Unknown artifact type: packer\.docker\nCan only save Docker builder artifacts\./],
      [{ builders: [{ type: 'docker', image: 'tiny:1', pull: false, commit: true, run_command: RUN }], 'post-processors': [{ type: 'docker-import', repository: 'x' }] },
        /Unknown artifact type: packer\.post-processor\.docker-import\nCan only import from Docker builder and Artifice post-processor artifacts\. If you are getting this error after having run the docker builder, it may be because you set commit: true in your Docker builder, so the image is already imported\./],
      [{ builders: [{ type: 'docker', image: 'tiny:1', pull: false, export_path: 'c.tar', run_command: RUN }], 'post-processors': [{ type: 'docker-tag', repository: 'x' }] },
        /Unknown artifact type: packer\.docker\nCan only tag from Docker builder artifacts\./],
      [{ builders: [{ type: 'docker', image: 'tiny:1', pull: false, export_path: 'c.tar', run_command: RUN }], 'post-processors': [{ type: 'docker-push' }] },
        /Unknown artifact type: packer\.docker\nCan only import from docker-import and docker-tag artifacts\./],
      [{ builders: [{ type: 'docker', image: 'tiny:1', pull: false, export_path: 'c.tar', run_command: RUN }], 'post-processors': [{ type: 'vagrant' }] },
        /Unknown artifact type, can't build box: packer\.docker/],
    ];
    for (const [tpl, re] of cases) {
      const { p, t } = await both(() => tpl, 1);
      assert.match(p.out, re);
      assert.match(t.out, re);
    }
  });

  test('vagrant: the docker box has the same members, metadata.json and Vagrantfile', async () => {
    const files = { 'extra/notes.txt': 'included\n', 'Vagrantfile.tpl': '# {{ .Provider }} box of {{ .BuildName }}: {{ .ArtifactId }}\n' };
    const { p, t } = await both((tool) => ({
      builders: [{ type: 'docker', image: 'tiny:1', pull: false, commit: true, run_command: RUN }],
      'post-processors': [[
        { type: 'docker-tag', repository: `boxed-${tool.name}`, tags: ['1.0'] },
        { type: 'vagrant', output: 'out/{{.BuildName}}-{{.Provider}}.box', include: ['extra/notes.txt'], vagrantfile_template: 'Vagrantfile.tpl', keep_input_artifact: true },
      ]],
    }), 0, files);
    assert.deepEqual(summary(t.out, 'boxed-ts'), summary(p.out, 'boxed-packer'));
    const tar = await import('tar');
    const box = async (cwd: string, repo: string) => {
      const dir = await mkdtemp(join(work, 'box-'));
      const members: string[] = [];
      await tar.x({ file: join(cwd, 'out/docker-docker.box'), cwd: dir, onReadEntry: (e) => { members.push(`${e.path} ${(e.mode ?? 0).toString(8)}`); } });
      const text: Record<string, string> = {};
      for (const f of await readdir(dir)) text[f] = (await readFile(join(dir, f), 'utf8')).replaceAll(repo, 'REPO');
      return { members, text };
    };
    const [pb, tb] = [await box(p.cwd, 'boxed-packer'), await box(t.cwd, 'boxed-ts')];
    assert.deepEqual(tb.members, ['Vagrantfile 644', 'metadata.json 644', 'notes.txt 644']);
    assert.deepEqual(tb, pb);
    assert.ok((await allTags(d)).includes('boxed-ts:1.0'), 'keep_input_artifact keeps the tag');
  });
});
