/**
 * Plugin install sessions run through packer-1.16 and packer-ts against one release server
 * (release-server.ts): each tool on its own temporary HOME, packer-ts through the server's address
 * variables (`env()`), packer-1.16 through its HTTPS proxy (`proxyEnv()`). A session's transcript
 * (commands, output, exit codes; HOME and the server's address normalised) and the tree left in
 * HOME (checksum files' text, other files' SHA-256) are what tests compare.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from './temp.ts';
import { PACKER_TS, run, snapshot } from './run.ts';
import { oracle } from './modern-oracles.ts';
import type { ReleaseServer } from './release-server.ts';

export type Step = string[] | ((home: string) => Promise<void>);
export interface Session { transcript: string; tree: Record<string, string> }

/** A template with `packer { required_plugins }` of these accessors: [source, version]. */
export const template = (plugins: Record<string, [string, string]>): string => `packer {
  required_plugins {
${Object.entries(plugins).map(([k, [s, v]]) => `    ${k} = {\n      source  = "${s}"\n      version = "${v}"\n    }`).join('\n')}
  }
}
`;

export async function session(packer: string, srv: ReleaseServer, steps: Step[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Session> {
  const home = await tempDir('packer-ts-init-home-');
  const cwd = join(home, 'work');
  await mkdir(cwd);
  const env = { HOME: home, XDG_CONFIG_HOME: undefined, PACKER_PLUGIN_PATH: undefined, PACKER_CONFIG_DIR: undefined, PACKER_TS_PLUGIN_MIRROR: undefined, ...(packer === PACKER_TS ? srv.env() : srv.proxyEnv()), ...extraEnv };
  let transcript = '';
  for (const step of steps) {
    if (typeof step === 'function') { await step(home); continue; }
    const r = await run(packer, step.map((a) => a.replaceAll('$HOME', home)), { cwd, env });
    transcript += `$ ${step.join(' ')}\n${r.stdout}${r.stderr === '' ? '' : `[stderr]\n${r.stderr}`}[exit ${r.code}]\n`;
  }
  transcript = transcript.replaceAll(home, '$HOME').replaceAll(`${srv.url}/releases.hashicorp.com/`, 'https://releases.hashicorp.com/').replaceAll(`${srv.url}/repos/`, 'https://api.github.com/repos/').replaceAll(`${srv.url}/`, 'https://github.com/');
  const tree: Record<string, string> = {};
  const files = await snapshot(home, (rel) => rel === 'work' || rel === '.cache' || rel.endsWith('checkpoint_signature'));
  for (const [rel, data] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    tree[rel] = rel.endsWith('_SHA256SUM') ? data.toString('latin1') : `sha256:${createHash('sha256').update(data).digest('hex')}`;
  }
  return { transcript, tree };
}

/** Both tools, the same server: same transcript, same plugin directory. */
export async function same(srv: ReleaseServer, steps: Step[], env?: NodeJS.ProcessEnv): Promise<Session> {
  const theirs = await session(oracle('packer-1.16'), srv, steps, env);
  const ours = await session(PACKER_TS, srv, steps, env);
  assert.equal(ours.transcript, theirs.transcript);
  assert.deepEqual(ours.tree, theirs.tree);
  return ours;
}

export const writeTemplate = (name: string, text: string): Step => async (home) => { await writeFile(join(home, 'work', name), text); };
