// Functions backed by network services: vault, consul_key, aws_secretsmanager.
// Requests are made synchronously (function calls are synchronous) by a short
// child process with a timeout; errors are worded as Packer words them.
import * as T from '../cty/types.ts';
import { stringVal } from '../cty/value.ts';
import { dialErrorText, type DialFailure } from '@packer-ts/sdk';
import { FuncError, makeFunction, staticReturnType } from './function.ts';

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
export function httpGetSync(url: string, headers: Record<string, string>, timeoutMs = 10000): HttpResult {
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

/** `Get "URL": dial tcp ...`, as Go's HTTP client reports a connection that failed. */
function dialError(method: string, url: string, err: DialFailure): string {
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return `${method} ${JSON.stringify(url)}: ${dialErrorText(err, u.hostname.replace(/^\[|\]$/g, ''), port)}`;
}

export const vault = makeFunction({
  params: [
    { name: 'path', type: T.String },
    { name: 'key', type: T.String },
  ],
  type: staticReturnType(T.String),
  impl: (a) => {
    const path = a[0].asString();
    const key = a[1].asString();
    const token = process.env.VAULT_TOKEN;
    if (!token) throw new FuncError('Must set VAULT_TOKEN env var in order to use vault template function');
    const addr = (process.env.VAULT_ADDR || 'https://127.0.0.1:8200').replace(/\/+$/, '');
    const url = `${addr}/v1/${path.replace(/^\/+/, '')}`;
    const r = httpGetSync(url, { 'X-Vault-Token': token });
    if (r.error) throw new FuncError(`Error reading vault secret: ${dialError('Get', url, r.error)}`);
    if (r.status === 404) throw new FuncError('Vault Secret does not exist at the given path');
    if (r.status !== 200) throw new FuncError(`Error reading vault secret: Error making API request.\n\nURL: GET ${url}\nCode: ${r.status}. Errors:\n\n${r.body ?? ''}`);
    let secret: { data?: Record<string, unknown>; warnings?: string[] | null };
    try {
      secret = JSON.parse(r.body ?? '');
    } catch {
      throw new FuncError('Error reading vault secret: invalid response');
    }
    const data = secret.data ?? {};
    if (!('data' in data)) {
      if (key in data) return stringVal(String(data[key]));
      throw new FuncError(`Vault data was empty at the given path. Warnings: ${(secret.warnings ?? []).join('; ')}`);
    }
    const inner = data.data as Record<string, unknown>;
    if (inner && key in inner) return stringVal(String(inner[key]));
    throw new FuncError('Vault path does not contain the requested key');
  },
});

export const consul_key = makeFunction({
  params: [{ name: 'key', type: T.String }],
  type: staticReturnType(T.String),
  impl: (a) => {
    const k = a[0].asString();
    let addr = process.env.CONSUL_HTTP_ADDR || '127.0.0.1:8500';
    let scheme = process.env.CONSUL_HTTP_SSL === 'true' ? 'https' : 'http';
    const m = /^(https?):\/\/(.*)$/.exec(addr);
    if (m) {
      scheme = m[1];
      addr = m[2];
    }
    const url = `${scheme}://${addr}/v1/kv/${k.replace(/^\/+/, '')}`;
    const headers: Record<string, string> = {};
    if (process.env.CONSUL_HTTP_TOKEN) headers['X-Consul-Token'] = process.env.CONSUL_HTTP_TOKEN;
    const r = httpGetSync(url, headers);
    if (r.error) throw new FuncError(`error reading consul key: ${dialError('Get', url, r.error)}`);
    if (r.status === 404) throw new FuncError(`key does not exist at the given path: ${k}`);
    if (r.status !== 200) throw new FuncError(`error reading consul key: Unexpected response code: ${r.status} (${r.body ?? ''})`);
    let entries: Array<{ Value?: string | null }>;
    try {
      entries = JSON.parse(r.body ?? '[]');
    } catch {
      throw new FuncError('error reading consul key: invalid response');
    }
    const value = entries[0]?.Value ? Buffer.from(entries[0].Value, 'base64').toString('utf8') : '';
    if (value === '') throw new FuncError(`value is empty at path ${k}`);
    return stringVal(value);
  },
});

function awsUnavailable(name: string): never {
  if (name.length === 0) throw new FuncError('At least one secret name must be provided');
  throw new FuncError(
    'Error getting secret: AWS Secrets Manager is not reachable from packer-ts: no AWS credentials or region are configured (set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION)',
  );
}

export const aws_secretsmanager = makeFunction({
  params: [
    { name: 'name', type: T.String },
    { name: 'key', type: T.String, allowNull: true },
  ],
  type: staticReturnType(T.String),
  impl: (a) => awsUnavailable(a[0].asString()),
});

export const aws_secretsmanager_raw = makeFunction({
  params: [{ name: 'name', type: T.String }],
  type: staticReturnType(T.String),
  impl: (a) => awsUnavailable(a[0].asString()),
});
