/**
 * The http datasource (Packer 1.16's built-in `http`): one request to `url` with `method` (GET by
 * default), `request_headers` and `request_body`; its outputs are Packer's: `url`, `body` and the
 * response's headers under `request_headers` (Packer's name for them), each header's values
 * joined with ", " under Go's canonical header name. A response outside 2xx is an error
 * ("HTTP request error. Response code: N"). The request is Go's net/http client's: headers
 * `User-Agent: Go-http-client/1.1` and `Accept-Encoding: gzip` (a gzip answer is decompressed and
 * loses its Content-Encoding and Content-Length), up to 10 redirects with `Referer`, proxies
 * from HTTP_PROXY/HTTPS_PROXY/NO_PROXY are not used.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createGunzip } from 'node:zlib';
import { decodeConfig, objectSpec, requestDialError, PackerMultiError, useExtraCaCertificates, type Datasource, type ObjectSpec, type Schema } from '@packer-ts/sdk';

export const schema: Schema = {
  url: { type: 'string' },
  method: { type: 'string' },
  request_headers: { type: 'map' },
  request_body: { type: 'string' },
};
export const outputSchema: Schema = {
  url: { type: 'string' },
  body: { type: 'string' },
  request_headers: { type: 'map' },
};

const METHODS = ['HEAD', 'GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'];

interface Config { url?: string; method?: string; requestHeaders?: Record<string, string>; requestBody?: string }

/** Go's textproto.CanonicalMIMEHeaderKey. */
export function canonicalHeaderKey(k: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(k)) return k;
  return k.split('-').map((p) => (p === '' ? p : p[0]!.toUpperCase() + p.slice(1).toLowerCase())).join('-');
}

/** Go's url.Error Op for a method ("Get", "Post"). */
function op(method: string): string {
  return method.slice(0, 1).toUpperCase() + method.slice(1).toLowerCase();
}

export class HttpDatasource implements Datasource {
  private config: Required<Config> = { url: '', method: 'GET', requestHeaders: {}, requestBody: '' };

  configSpec(): ObjectSpec { return objectSpec(schema, { packerConfig: true }); }
  outputSpec(): ObjectSpec { return objectSpec(outputSchema); }

  async configure(...raws: unknown[]): Promise<void> {
    const c = decodeConfig<Config>(schema, raws).config;
    const errs: string[] = [];
    if (!c.url) errs.push('the `url` must be specified');
    const method = c.method || 'GET';
    if (!METHODS.includes(method)) errs.push(`the \`method\` must be one of [${METHODS.join(' ')}]`);
    if (errs.length > 0) throw new PackerMultiError(errs);
    this.config = { url: c.url!, method, requestHeaders: c.requestHeaders ?? {}, requestBody: c.requestBody ?? '' };
  }

  async execute(): Promise<Record<string, unknown>> {
    const { url, method, requestHeaders, requestBody } = this.config;
    const headers: Record<string, string> = { 'User-Agent': 'Go-http-client/1.1' };
    for (const [k, v] of Object.entries(requestHeaders)) headers[canonicalHeaderKey(k)] = v;
    const res = await send(url, method, headers, requestBody);
    if (res.status < 200 || res.status >= 300) throw new Error(`HTTP request error. Response code: ${res.status}`);
    return { url, body: res.body, request_headers: res.headers };
  }
}

interface Response { status: number; headers: Record<string, string>; body: string }

async function send(url: string, method: string, headers: Record<string, string>, body: string, redirects = 0, referer?: string): Promise<Response> {
  let target: URL;
  try { target = new URL(url); } catch { throw new Error(`parse ${JSON.stringify(url)}: invalid URI for request`); }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new Error(`${op(method)} ${JSON.stringify(url)}: unsupported protocol scheme ${JSON.stringify(target.protocol.replace(/:$/, ''))}`);
  }
  const h: Record<string, string> = { ...headers };
  if (referer && !h.Referer) h.Referer = referer;
  const ownGzip = !Object.keys(h).some((k) => k.toLowerCase() === 'accept-encoding') && method !== 'HEAD';
  if (ownGzip) h['Accept-Encoding'] = 'gzip';
  if (body !== '') h['Content-Length'] = String(Buffer.byteLength(body));
  if (target.protocol === 'https:') useExtraCaCertificates();
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(target, { method, headers: h });
    req.on('response', resolve);
    req.on('error', (e: NodeJS.ErrnoException) => {
      reject(new Error(requestDialError(op(method), url, e), { cause: e }));
    });
    req.end(body === '' ? undefined : body);
  });
  const status = res.statusCode ?? 0;
  const location = res.headers.location;
  if ([301, 302, 303, 307, 308].includes(status) && location) {
    res.resume();
    if (redirects >= 10) throw new Error(`${op(method)} ${JSON.stringify(new URL(location, target).href)}: stopped after 10 redirects`);
    const keep = status === 307 || status === 308;
    const next = keep ? method : method === 'HEAD' ? 'HEAD' : 'GET';
    const nextHeaders = { ...headers };
    if (!keep) delete nextHeaders['Content-Length'];
    return send(new URL(location, target).href, next, nextHeaders, keep ? body : '', redirects + 1, target.href);
  }
  const gz = ownGzip && /^gzip$/i.test(String(res.headers['content-encoding'] ?? ''));
  const chunks: Buffer[] = [];
  const stream = gz ? res.pipe(createGunzip()) : res;
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', resolve);
    stream.on('error', reject);
    res.on('error', reject);
  });
  const out: Record<string, string[]> = {};
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    const k = canonicalHeaderKey(res.rawHeaders[i]!);
    if (gz && (k === 'Content-Encoding' || k === 'Content-Length')) continue;
    (out[k] ??= []).push(res.rawHeaders[i + 1]!);
  }
  const joined: Record<string, string> = {};
  for (const [k, v] of Object.entries(out)) joined[k] = v.join(', ');
  return { status, headers: joined, body: Buffer.concat(chunks).toString('utf8') };
}
