/**
 * The lookups behind Packer's `vault` and `consul_key` (its commontpl.Vault and commontpl.Consul),
 * which both the JSON templates' functions and HCL2's call: one GET to the service named by
 * VAULT_ADDR/VAULT_TOKEN or CONSUL_HTTP_ADDR/CONSUL_HTTP_SSL/CONSUL_HTTP_TOKEN, made synchronously
 * (template functions are synchronous) by a short child process with a timeout. Errors are worded
 * as Packer words them.
 *
 * Public API
 *   vaultSecret(path, key): string    consulKey(key): string    (throw Error)
 */
import { requestDialError, type DialFailure } from '../go-errors.ts';

interface HttpResult {
  status?: number;
  body?: string;
  /** the request's failure (Node's error fields, from the child) */
  error?: DialFailure;
}

const FETCH_SCRIPT = `
const [url, headers, timeout] = [process.argv[1], JSON.parse(process.argv[2]), Number(process.argv[3])];
const mod = url.startsWith('https:') ? require('node:https') : require('node:http');
const out = (o) => process.stdout.write(JSON.stringify(o));
const req = mod.get(url, { headers, timeout }, (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (d) => (body += d));
  res.on('end', () => out({ status: res.statusCode, body }));
});
req.on('timeout', () => { req.destroy(); out({ error: { code: 'ETIMEDOUT' } }); });
const fields = (e) => ({ code: e.code, message: e.message, address: e.address, port: e.port });
req.on('error', (e) => out({ error: { ...fields(e), errors: Array.isArray(e.errors) ? e.errors.map(fields) : undefined } }));
`;

/** A GET request made synchronously. */
function httpGetSync(url: string, headers: Record<string, string>, timeoutMs = 10000): HttpResult {
  try {
    const out = (process.getBuiltinModule('node:child_process') as typeof import('node:child_process')).execFileSync(process.execPath, ['-e', FETCH_SCRIPT, url, JSON.stringify(headers), String(timeoutMs)], {
      encoding: 'utf8',
      timeout: timeoutMs + 2000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return JSON.parse(out) as HttpResult;
  } catch (e) {
    // killed at its timeout, or it could not run
    return { error: (e as { signal?: unknown }).signal ? { code: 'ETIMEDOUT' } : { message: (e as Error).message } };
  }
}


/** The Vault API client's error for a response it refused: its `errors` listed, else the raw body. */
function vaultResponseError(url: string, status: number, body: string): string {
  const head = `Error making API request.\n\nURL: GET ${url}\nCode: ${status}.`;
  let errors: unknown;
  try {
    errors = (JSON.parse(body) as { errors?: unknown }).errors;
  } catch {
    return `${head} Raw Message:\n\n${body}`;
  }
  return `${head} Errors:\n\n${(Array.isArray(errors) ? errors : []).map((e) => `* ${String(e)}`).join('')}`;
}

/** Packer's commontpl.Vault: `key` of the secret at `path` (KV v2's `data.data`, else v1's `data`). */
export function vaultSecret(path: string, key: string): string {
  const token = process.env.VAULT_TOKEN;
  if (!token) throw new Error('Must set VAULT_TOKEN env var in order to use vault template function');
  const addr = (process.env.VAULT_ADDR || 'https://127.0.0.1:8200').replace(/\/+$/, '');
  const url = `${addr}/v1/${path.replace(/^\/+/, '')}`;
  const r = httpGetSync(url, { 'X-Vault-Token': token });
  if (r.error) throw new Error(`Error reading vault secret: ${requestDialError('Get', url, r.error)}`);
  if (r.status === 404) throw new Error('Vault Secret does not exist at the given path');
  if (r.status !== 200) throw new Error(`Error reading vault secret: ${vaultResponseError(url, r.status ?? 0, r.body ?? '')}`);
  let secret: { data?: Record<string, unknown>; warnings?: string[] | null };
  try {
    secret = JSON.parse(r.body ?? '');
  } catch {
    throw new Error('Error reading vault secret: invalid response');
  }
  const data = secret.data ?? {};
  if (!('data' in data)) {
    if (key in data) return String(data[key]);
    throw new Error(`Vault data was empty at the given path. Warnings: ${(secret.warnings ?? []).join('; ')}`);
  }
  const inner = data.data as Record<string, unknown>;
  if (inner && key in inner) return String(inner[key]);
  throw new Error('Vault path does not contain the requested key');
}

/** Packer's commontpl.Consul: the value at `key` of Consul's KV store. */
export function consulKey(k: string): string {
  let addr = process.env.CONSUL_HTTP_ADDR || '127.0.0.1:8500';
  let scheme = process.env.CONSUL_HTTP_SSL === 'true' ? 'https' : 'http';
  const m = /^(https?):\/\/(.*)$/.exec(addr);
  if (m) {
    scheme = m[1]!;
    addr = m[2]!;
  }
  const url = `${scheme}://${addr}/v1/kv/${k.replace(/^\/+/, '')}`;
  const headers: Record<string, string> = {};
  if (process.env.CONSUL_HTTP_TOKEN) headers['X-Consul-Token'] = process.env.CONSUL_HTTP_TOKEN;
  const r = httpGetSync(url, headers);
  if (r.error) throw new Error(`error reading consul key: ${requestDialError('Get', url, r.error)}`);
  if (r.status === 404) throw new Error(`key does not exist at the given path: ${k}`);
  if (r.status !== 200) throw new Error(`error reading consul key: Unexpected response code: ${r.status} (${r.body ?? ''})`);
  let entries: Array<{ Value?: string | null }>;
  try {
    entries = JSON.parse(r.body ?? '[]');
  } catch {
    throw new Error('error reading consul key: invalid response');
  }
  const value = entries[0]?.Value ? Buffer.from(entries[0].Value, 'base64').toString('utf8') : '';
  if (value === '') throw new Error(`value is empty at path ${k}`);
  return value;
}
