/**
 * `{{vault}}` and `{{consul_key}}` in a JSON template's variables (Packer's commontpl, which
 * HCL2's functions share: packages/sdk/src/template/services.ts), against a loopback Vault/Consul
 * stand-in: `packer-ts` and Packer 1.6.6 print the same thing for each (`console` answering
 * `{{user ...}}`, `validate` of a failing lookup), found, missing, refused and without a token.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKER_TS, REAL_PACKER, run } from './helpers/run.ts';
import { requireTools } from './helpers/requires.ts';

let server: Server;
let addr = '';
let dir = '';

const ROUTES: Record<string, (token: string | undefined) => [number, string]> = {
  '/v1/secret/data/app': (t) => (t !== 'tok' ? [403, '{"errors":["permission denied"]}'] : [200, '{"data":{"data":{"user":"admin"}},"warnings":null}']),
  '/v1/secret/v1app': () => [200, '{"data":{"user":"v1admin"}}'],
  '/v1/kv/app/name': () => [200, JSON.stringify([{ Key: 'app/name', Value: Buffer.from('consul-value').toString('base64') }])],
};

before(async () => {
  requireTools(REAL_PACKER);
  dir = await mkdtemp(join(tmpdir(), 'packer-ts-tpl-services-'));
  server = createServer((req, res) => {
    const route = ROUTES[(req.url ?? '').split('?')[0]!];
    const [code, body] = route ? route(req.headers['x-vault-token'] as string | undefined) : [404, ''];
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  addr = typeof a === 'object' && a ? `127.0.0.1:${a.port}` : '';
});
after(async () => {
  server?.closeAllConnections();
  server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function both(variables: Record<string, string>, env: Record<string, string>, command: 'console' | 'validate'): Promise<void> {
  await writeFile(join(dir, 't.json'), JSON.stringify({ variables, builders: [{ type: 'null', communicator: 'none' }] }));
  const input = command === 'console' ? `${Object.keys(variables).map((k) => `{{user \`${k}\`}}`).join('\n')}\n` : undefined;
  const go = (bin: string) => run(bin, [command, 't.json'], { cwd: dir, env: { HOME: dir, ...env }, ...(input ? { input } : {}), timeoutMs: 60_000 });
  const theirs = await go(REAL_PACKER);
  const ours = await go(PACKER_TS);
  assert.deepEqual({ code: ours.code, out: ours.stdout, err: ours.stderr }, { code: theirs.code, out: theirs.stdout, err: theirs.stderr }, JSON.stringify(variables));
}

test('values found: KV v2 and v1 secrets, a consul key', async () => {
  const env = { VAULT_ADDR: `http://${addr}`, VAULT_TOKEN: 'tok', CONSUL_HTTP_ADDR: addr };
  await both({ v2: '{{vault `secret/data/app` `user`}}', v1: '{{vault `/secret/v1app` `user`}}', c: '{{consul_key `app/name`}}', mixed: 'x-{{consul_key `app/name`}}' }, env, 'console');
});

test('failures: a missing secret or key, a refused connection, no token; the error is Packer\'s, without a prefix', async () => {
  const env = { VAULT_ADDR: `http://${addr}`, VAULT_TOKEN: 'tok', CONSUL_HTTP_ADDR: addr };
  for (const v of ['{{vault `secret/none` `user`}}', '{{vault `secret/data/app` `nope`}}', '{{consul_key `app/none`}}']) await both({ a: v }, env, 'validate');
  await both({ a: '{{vault `secret/data/app` `user`}}' }, { VAULT_ADDR: `http://${addr}`, VAULT_TOKEN: 'bad' }, 'validate');
  await both({ a: '{{vault `secret/data/app` `user`}}' }, { VAULT_ADDR: `http://${addr}` }, 'validate');
  await both({ a: '{{consul_key `app/name`}}' }, { CONSUL_HTTP_ADDR: '127.0.0.1:1' }, 'validate');
  // a template that does not parse keeps Packer's "error interpolating default value" wording
  await both({ a: '{{nosuch}}' }, {}, 'validate');
});
