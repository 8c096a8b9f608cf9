// Encoding, hashing and identifier functions (go-cty-funcs encoding,
// crypto, uuid; go-cty stdlib json and csv; Packer's base64gzip and the
// text(en|de)codebase64 pair).
import { crc32 } from '../cty/value.ts';
import { utf8Valid } from './filesystem.ts';
import * as T from '../cty/types.ts';
import { marshalJson, decodeJsonImplied } from '../cty/json.ts';
import { listVal, listValEmpty, objectVal, stringVal, unknownVal, DynamicVal, type Value } from '../cty/value.ts';
import { CtyError } from '../cty/value.ts';
import { ArgError, FuncError, makeFunction, staticReturnType, toInt } from './function.ts';

const str = (name: string) => ({ name, type: T.String });
// node:crypto and node:zlib load on a call that needs them: they cost every process that loads
// this package a few ms otherwise (bench/README.md, HCL2)
const crypto = () => process.getBuiltinModule('node:crypto') as typeof import('node:crypto');
const zlib = () => process.getBuiltinModule('node:zlib') as typeof import('node:zlib');
// the CommonJS bundle has no import.meta.url; node:module loads with the first call that needs a package
const require = (id: string): unknown => (process.getBuiltinModule('node:module') as typeof import('node:module')).createRequire(import.meta.url || __filename)(id);

/** Go's base64.StdEncoding.DecodeString (strict: padding required, no whitespace but \r\n). */
export function goBase64Decode(s: string): Buffer | undefined {
  const t = s.replace(/[\r\n]/g, '');
  if (t.length % 4 !== 0) return undefined;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t)) return undefined;
  const b = Buffer.from(t, 'base64');
  // reject non-canonical trailing bits as Go does (strict = false allows them)
  return b;
}

export const base64encode = makeFunction({
  params: [str('str')],
  type: staticReturnType(T.String),
  impl: (a) => stringVal(Buffer.from(a[0].asString(), 'utf8').toString('base64')),
});

export const base64decode = makeFunction({
  params: [str('str')],
  type: staticReturnType(T.String),
  impl: (a) => {
    const s = a[0].asString();
    const b = goBase64Decode(s);
    if (!b) throw new FuncError(`failed to decode base64 data '${s}'`);
    if (!utf8Valid(b)) throw new FuncError('the result of decoding the the provided string is not valid UTF-8');
    return stringVal(b.toString('utf8'));
  },
});

export const base64gzip = makeFunction({
  params: [str('str')],
  type: staticReturnType(T.String),
  impl: (a) => {
    // Go's gzip.Writer after Flush and Close: header (mtime 0, OS 255), the
    // data in a non-final block ended by a sync flush, an empty final stored
    // block, then CRC-32 and size.
    const data = Buffer.from(a[0].asString(), 'utf8');
    const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    const body = data.length ? zlib().deflateRawSync(data, { finishFlush: zlib().constants.Z_SYNC_FLUSH }) : Buffer.from([0, 0, 0, 0xff, 0xff]);
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc32(data), 0);
    trailer.writeUInt32LE(data.length >>> 0, 4);
    return stringVal(Buffer.concat([header, body, Buffer.from([1, 0, 0, 0xff, 0xff]), trailer]).toString('base64'));
  },
});

/** url.QueryEscape */
export function goQueryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export const urlencode = makeFunction({
  params: [str('str')],
  type: staticReturnType(T.String),
  impl: (a) => stringVal(goQueryEscape(a[0].asString())),
});

function hashFn(alg: string) {
  return makeFunction({
    params: [str('str')],
    type: staticReturnType(T.String),
    impl: (a) => {
      const c = crypto();
      const data = a[0].asString();
      // crypto.hash (Node 20.12): one call, no Hash object and stream around it
      return stringVal(typeof c.hash === 'function' ? c.hash(alg, data, 'hex') : c.createHash(alg).update(data, 'utf8').digest('hex'));
    },
  });
}
export const md5 = hashFn('md5');
export const sha1 = hashFn('sha1');
export const sha256 = hashFn('sha256');
export const sha512 = hashFn('sha512');

export const bcrypt = makeFunction({
  params: [str('str')],
  varParam: { name: 'cost', type: T.Number },
  type: staticReturnType(T.String),
  impl: (a) => {
    let cost = 10;
    if (a.length > 1) cost = toInt(a[1]);
    if (a.length > 2) throw new FuncError('bcrypt() takes no more than two arguments');
    if (cost < 4) cost = 10; // Go's bcrypt uses its default cost below the minimum
    if (cost > 31) throw new FuncError(`error occured generating password crypto/bcrypt: cost ${cost} is outside allowed range (4,31)`);
    const pw = Buffer.from(a[0].asString(), 'utf8');
    if (pw.length > 72) throw new FuncError('error occured generating password bcrypt: password length exceeds 72 bytes');
    const bc = require('bcryptjs') as { hashSync(s: string, salt: string): string; genSaltSync(rounds: number): string };
    // Go writes the $2a$ prefix
    const h = bc.hashSync(a[0].asString(), bc.genSaltSync(cost)).replace(/^\$2b\$/, '$2a$');
    return stringVal(h);
  },
});

export const rsadecrypt = makeFunction({
  params: [str('ciphertext'), str('privatekey')],
  type: staticReturnType(T.String),
  impl: (a) => {
    const s = a[0].asString();
    const b = goBase64Decode(s);
    if (!b) throw new FuncError(`failed to decode input ${JSON.stringify(s)}: cipher text must be base64-encoded`);
    const pem = a[1].asString();
    if (!/-----BEGIN [^-]+-----/.test(pem)) throw new FuncError('failed to parse key: no key found');
    if (/Proc-Type:\s*4,ENCRYPTED/.test(pem)) {
      throw new FuncError('failed to parse key: password protected keys are not supported. Please decrypt the key prior to use');
    }
    let key;
    try {
      key = crypto().createPrivateKey({ key: pem, format: 'pem' });
    } catch (e) {
      throw new FuncError(`x509: failed to parse private key (${(e as Error).message})`);
    }
    try {
      return stringVal(crypto().privateDecrypt({ key, padding: crypto().constants.RSA_PKCS1_PADDING }, b).toString('utf8'));
    } catch {
      throw new FuncError('crypto/rsa: decryption error');
    }
  },
});

export const uuidv4 = makeFunction({
  params: [],
  type: staticReturnType(T.String),
  impl: () => stringVal(crypto().randomUUID()),
});

const NAMESPACES: Record<string, string> = {
  dns: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
  url: '6ba7b811-9dad-11d1-80b4-00c04fd430c8',
  oid: '6ba7b812-9dad-11d1-80b4-00c04fd430c8',
  x500: '6ba7b814-9dad-11d1-80b4-00c04fd430c8',
};

/** google/uuid Parse: the forms it accepts, as 16 bytes. */
function parseUUID(s: string): Buffer | string {
  let t = s;
  if (t.length === 36 + 9 && t.toLowerCase().startsWith('urn:uuid:')) t = t.slice(9);
  else if (t.length === 36 + 2 && t[0] === '{' && t[t.length - 1] === '}') t = t.slice(1, -1);
  else if (t.length === 32) t = `${t.slice(0, 8)}-${t.slice(8, 12)}-${t.slice(12, 16)}-${t.slice(16, 20)}-${t.slice(20)}`;
  else if (t.length !== 36) return `invalid UUID length: ${s.length}`;
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(t)) return 'invalid UUID format';
  return Buffer.from(t.replace(/-/g, ''), 'hex');
}

function formatUUID(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const uuidv5 = makeFunction({
  params: [str('namespace'), str('name')],
  type: staticReturnType(T.String),
  impl: (a) => {
    const nsArg = a[0].asString();
    const ns = parseUUID(NAMESPACES[nsArg] ?? nsArg);
    if (typeof ns === 'string') throw new FuncError(`uuidv5() doesn't support namespace ${nsArg} (${ns})`);
    const h = crypto().createHash('sha1').update(ns).update(Buffer.from(a[1].asString(), 'utf8')).digest().subarray(0, 16);
    h[6] = (h[6] & 0x0f) | 0x50;
    h[8] = (h[8] & 0x3f) | 0x80;
    return stringVal(formatUUID(h));
  },
});

export const jsonencode = makeFunction({
  params: [{ name: 'val', type: T.Dynamic, allowDynamicType: true }],
  type: staticReturnType(T.String),
  impl: (a, ret) => {
    if (!a[0].isWhollyKnown()) return unknownVal(ret);
    return stringVal(marshalJson(a[0], a[0].type));
  },
});

export const jsondecode = makeFunction({
  params: [str('str')],
  type: (a) => {
    if (!a[0].isKnown()) return T.Dynamic;
    return decodeJsonImplied(a[0].asString()).type;
  },
  impl: (a) => decodeJsonImplied(a[0].asString()),
});

/** encoding/csv reading (RFC 4180 with Go's ParseError texts; lines and
 * columns 1-based). Each record comes with the line it starts on. */
function readCsv(text: string, fieldsPerRecord = 0): Array<{ line: number; fields: string[] }> {
  const s = text.replace(/\r\n/g, '\n');
  const out: Array<{ line: number; fields: string[] }> = [];
  let i = 0;
  let line = 1;
  let col = 1;
  const n = s.length;
  const perr = (start: number, l: number, c: number, msg: string): never => {
    if (start !== l) throw new FuncError(`record on line ${start}; parse error on line ${l}, column ${c}: ${msg}`);
    throw new FuncError(`parse error on line ${l}, column ${c}: ${msg}`);
  };
  while (i < n) {
    if (s[i] === '\n') {
      i++;
      line++;
      col = 1;
      continue;
    }
    const recLine = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (s[i] === '"') {
        i++;
        col++;
        for (;;) {
          if (i >= n) perr(recLine, line, col, 'extraneous or missing " in quoted-field');
          const ch = s[i];
          if (ch === '"') {
            if (s[i + 1] === '"') {
              field += '"';
              i += 2;
              col += 2;
              continue;
            }
            i++;
            col++;
            if (i < n && s[i] !== ',' && s[i] !== '\n') perr(recLine, line, col, 'extraneous or missing " in quoted-field');
            break;
          }
          if (ch === '\n') {
            line++;
            col = 1;
          } else col++;
          field += ch;
          i++;
        }
      } else {
        while (i < n && s[i] !== ',' && s[i] !== '\n') {
          if (s[i] === '"') perr(recLine, line, col, 'bare " in non-quoted-field');
          field += s[i++];
          col++;
        }
      }
      fields.push(field);
      if (s[i] === ',') {
        i++;
        col++;
        continue;
      }
      if (s[i] === '\n') {
        i++;
        line++;
        col = 1;
      }
      break;
    }
    if (fieldsPerRecord > 0 && fields.length !== fieldsPerRecord) throw new FuncError(`record on line ${recLine}: wrong number of fields`);
    if (fieldsPerRecord === 0) fieldsPerRecord = fields.length;
    out.push({ line: recLine, fields });
  }
  return out;
}

export const csvdecode = makeFunction({
  params: [str('str')],
  type: (a) => {
    if (!a[0].isKnown()) return T.Dynamic;
    const rows = readCsv(a[0].asString());
    if (rows.length === 0) throw new FuncError('missing header line');
    const atys: Record<string, T.Type> = {};
    for (const name of rows[0].fields) {
      if (name in atys) throw new FuncError(`duplicate column name ${JSON.stringify(name)}`);
      atys[name] = T.String;
    }
    return T.List(T.Object_(atys));
  },
  impl: (a, ret) => {
    const rows = readCsv(a[0].asString(), Object.keys((T.elementType(ret) as T.ObjectType).attrs).length);
    const headers = rows[0].fields;
    const out: Value[] = [];
    for (const { fields } of rows.slice(1)) {
      const m: Record<string, Value> = {};
      fields.forEach((c, i) => (m[headers[i]] = stringVal(c)));
      out.push(objectVal(m));
    }
    return out.length ? listVal(out) : listValEmpty(T.elementType(ret));
  },
});

// textencodebase64 / textdecodebase64 (Packer 1.16; Terraform's semantics)
function encodingFor(name: string): string | undefined {
  const n = name.toLowerCase().replace(/_/g, '-');
  const map: Record<string, string> = {
    'utf-8': 'utf-8',
    utf8: 'utf-8',
    'utf-16le': 'utf-16le',
    'utf-16': 'utf-16le',
    'iso-8859-1': 'latin1',
    latin1: 'latin1',
    'us-ascii': 'ascii',
    ascii: 'ascii',
    'windows-1252': 'latin1',
  };
  return map[n];
}

export const textencodebase64 = makeFunction({
  params: [str('string'), str('encoding')],
  type: staticReturnType(T.String),
  impl: (a) => {
    const enc = encodingFor(a[1].asString());
    if (!enc) throw new ArgError(1, `${JSON.stringify(a[1].asString())} is not a supported IANA encoding name or alias`);
    return stringVal(Buffer.from(a[0].asString(), enc as BufferEncoding).toString('base64'));
  },
});

export const textdecodebase64 = makeFunction({
  params: [str('source'), str('encoding')],
  type: staticReturnType(T.String),
  impl: (a) => {
    const enc = encodingFor(a[1].asString());
    if (!enc) throw new ArgError(1, `${JSON.stringify(a[1].asString())} is not a supported IANA encoding name or alias`);
    const b = goBase64Decode(a[0].asString());
    if (!b) {
      const src = a[0].asString();
      const bad = src.search(/[^A-Za-z0-9+/=\r\n]/);
      throw new ArgError(0, `the given value is has an invalid base64 symbol at offset ${bad < 0 ? Math.max(0, src.length - (src.length % 4)) : bad}`);
    }
    return stringVal(b.toString(enc as BufferEncoding));
  },
});

export { CtyError, DynamicVal };
