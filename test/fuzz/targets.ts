/**
 * Fuzz targets: each generates inputs (fast-check arbitraries, seeded) and runs one on the code
 * under test. `run` returns normally or throws an expected error (the input is bad); anything else
 * it throws (a RangeError, a TypeError, a failed check) is a crasher.
 */
import assert from 'node:assert/strict';
import { Readable, PassThrough } from 'node:stream';
import fc from 'fast-check';
import { parseJson, JsonSyntaxError, JsonDuplicateKeyError, wellFormed } from '../../packages/core/src/template/json.ts';
import { InterpolationError, render } from '../../packages/sdk/src/template/interpolate/index.ts';
import { decode, Decoder, encode, MsgpackError } from '../../packages/sdk/src/rpc/codec.ts';
import { Session, YamuxError } from '../../packages/sdk/src/rpc/yamux.ts';
import { encodeCommandFinished, readCommandFinished } from '../../packages/sdk/src/rpc/adapters/gob.ts';
import { HandshakeError, parseHandshake, splitHostPort } from '../../packages/sdk/src/rpc/handshake.ts';

export interface Target<T> {
  name: string;
  input: fc.Arbitrary<T>;
  run(input: T): void | Promise<void>;
  /** Errors that mean "bad input, rejected cleanly". */
  expected(e: unknown): boolean;
  /** To and from the JSON a crasher file holds. */
  save(input: T): unknown;
  load(saved: unknown): T;
}

// ---------------------------------------------------------------- values in JSON (crasher files)

/** JSON for values with Buffers, bigints, -0, NaN and infinities. */
export function tag(v: unknown): unknown {
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) return { $number: Object.is(v, -0) ? '-0' : String(v) };
  if (v instanceof Uint8Array) return { $hex: Buffer.from(v).toString('hex') };
  if (Array.isArray(v)) return v.map(tag);
  if (v !== null && typeof v === 'object') return { $object: Object.entries(v).map(([k, x]) => [k, tag(x)]) };
  return v;
}
export function untag(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(untag);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('$bigint' in o) return BigInt(o.$bigint as string);
    if ('$number' in o) return Number(o.$number);
    if ('$hex' in o) return Buffer.from(o.$hex as string, 'hex');
    const out: Record<string, unknown> = {};
    for (const [k, x] of o.$object as [string, unknown][]) Object.defineProperty(out, k, { value: untag(x), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

const asString = { save: (s: string) => s, load: (s: unknown) => s as string };
const asBytes = { save: (b: Uint8Array) => ({ $hex: Buffer.from(b).toString('hex') }), load: (s: unknown) => Buffer.from((s as { $hex: string }).$hex, 'hex') };

// ---------------------------------------------------------------- mutation

/** Byte-level and token-level edits of a seed text (insert, delete, duplicate, replace). */
function mutated(seed: fc.Arbitrary<string>, alphabet: string[]): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.constantFrom(...alphabet));
  return fc.tuple(seed, fc.array(edit, { maxLength: 6 })).map(([s, edits]) => {
    let out = s;
    for (const [at, op, tok] of edits) {
      const i = out.length === 0 ? 0 : at % (out.length + 1);
      if (op === 0) out = out.slice(0, i) + tok + out.slice(i);
      else if (op === 1) out = out.slice(0, i) + out.slice(i + 1 + (at % 3));
      else if (op === 2) out = out.slice(0, i) + out.slice(i, i + 1 + (at % 8)).repeat(1 + (at % 4)) + out.slice(i);
      else out = out.slice(0, i) + tok + out.slice(i + tok.length);
    }
    return out;
  });
}

// ---------------------------------------------------------------- targets

/** JSON reader: valid JSON reads as JSON.parse reads it; anything else is accepted/rejected as JSON.parse does. */
const json: Target<string> = {
  name: 'json',
  input: fc.oneof(
    fc.json({ depthSize: 'medium' }),
    fc.jsonValue().map((v) => JSON.stringify(v, null, 1)),
    mutated(fc.json({ depthSize: 'small' }), ['{', '}', '[', ']', ',', ':', '"', '\\', '\\u', '\\ud800', '-', '0', '1e', '.', ' ', '\n', 't', 'nul', '\u0001', '\u00e9', '\ud83d\ude00', '1e999', '[[[[[[[[']),
  ),
  run(text) {
    let ours: unknown;
    let oursErr: unknown;
    try { ours = parseJson(text); } catch (e) { oursErr = e; }
    let ref: unknown;
    let refOk = true;
    try { ref = JSON.parse(text); } catch { refOk = false; }
    if (oursErr !== undefined) {
      if (!(oursErr instanceof JsonSyntaxError || oursErr instanceof JsonDuplicateKeyError || (oursErr instanceof Error && oursErr.message.startsWith('json: cannot unmarshal number')))) throw oursErr;
      // Go rejects what JS accepts only for duplicate keys and numbers beyond float64
      if (refOk && oursErr instanceof JsonSyntaxError) throw new Error(`rejected valid JSON: ${oursErr.message}`);
      return;
    }
    if (!refOk) throw new Error('accepted what JSON.parse rejects');
    assert.deepStrictEqual(ours, wellFormedDeep(ref), 'differs from JSON.parse');
  },
  expected: () => false,
  ...asString,
};

function wellFormedDeep(v: unknown): unknown {
  if (typeof v === 'string') return wellFormed(v);
  if (Array.isArray(v)) return v.map(wellFormedDeep);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, wellFormed(k), { value: wellFormedDeep(x), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

const TEMPLATE_TOKENS = [
  '{{', '}}', '{{-', '-}}', '(', ')', ' ', '|', '.', '$', '$x', ':=', '=', ',', 'if', 'else', 'end', 'range', 'with', 'break', 'continue',
  'printf', 'print', 'println', 'len', 'index', 'slice', 'and', 'or', 'not', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'html', 'js', 'urlquery',
  'upper', 'lower', 'user', 'env', 'build_name', 'isotime', 'timestamp', 'uuid', 'split', 'replace', 'replace_all', 'clean_resource_name',
  // (consul_key, vault and aws_secretsmanager are left out: they reach the network)
  'build', 'template_dir', 'pwd', 'packer_version', 'sed',
  '"%d"', '"%c"', '"%q"', '"%U"', '"%x"', '"%*d"', '"%.*f"', '"%9999999d"', '"%v"', '"%s"', '"%!"', '"%"', '"%.1000000f"',
  '1', '-1', '0x10', '1e300', '1.5', "'a'", "'\\U0010FFFF'", '"x"', '`raw`', '"\\UFFFFFFFF"', '"\\uD800"', '"\\x41"', '"\\377"', '"a,b"', 'true', 'nil', '"`x`"',
  '/*', '*/', '.Foo', '.a.b',
];

/** Interpolation: rendering either returns text or throws InterpolationError. */
const interpolation: Target<string> = {
  name: 'interpolation',
  input: fc.oneof(
    fc.array(fc.constantFrom(...TEMPLATE_TOKENS), { maxLength: 30 }).map((t) => t.join('')),
    fc.array(fc.constantFrom(...TEMPLATE_TOKENS), { maxLength: 12 }).map((t) => `{{ ${t.join(' ')} }}`),
    mutated(fc.constantFrom('{{ printf "%d-%s" 5 (upper "x") }}', '{{ range $i, $e := split "a,b" "," 5 }}{{ $e }}{{ end }}', '{{ if eq 1 1 }}y{{ else if 2 }}n{{ end }}', '{{ user `a` }}{{ build_name }}'), TEMPLATE_TOKENS),
  ),
  run(text) {
    render(text, { userVariables: { a: 'A' }, buildName: 'b', buildType: 't', templatePath: '/tmp/t.json', data: { Foo: 'f', a: { b: 1 } } });
  },
  expected: (e) => e instanceof InterpolationError,
  ...asString,
};

/** msgpack values: decode(encode(v)) is v, one-shot and in chunks. */
const msgpackValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null), fc.boolean(), fc.integer(), fc.maxSafeInteger(), fc.double(), fc.string({ unit: 'binary' }),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }), fc.uint8Array({ maxLength: 70 }),
    fc.array(tie('value'), { maxLength: 6 }), fc.dictionary(fc.string(), tie('value'), { maxKeys: 6 }),
  ),
})).value;

/** What decoding an encoded value gives back (bigints in the safe range come back as numbers). */
function normalize(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (v instanceof Uint8Array) return Buffer.from(v);
  if (typeof v === 'string') return wellFormed(v);
  if (Array.isArray(v)) return v.map(normalize);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, wellFormed(k), { value: normalize(x), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

const msgpack: Target<{ value: unknown; chunk: number }> = {
  name: 'msgpack',
  input: fc.record({ value: msgpackValue, chunk: fc.integer({ min: 1, max: 64 }) }),
  run({ value, chunk }) {
    const bytes = encode(value);
    const want = normalize(value);
    assert.deepStrictEqual(decode(bytes), want, 'one-shot round trip');
    const d = new Decoder();
    let got: { value: unknown } | undefined;
    for (let i = 0; i < bytes.length; i += chunk) {
      assert.equal(got, undefined, 'a value before its last byte');
      d.push(bytes.subarray(i, i + chunk));
      got = d.next();
    }
    assert.ok(got, 'no value after the last byte');
    assert.deepStrictEqual(got.value, want, 'chunked round trip');
    assert.equal(d.buffered, 0);
  },
  expected: () => false,
  save: (i) => ({ value: tag(i.value), chunk: i.chunk }),
  load: (s) => ({ value: untag((s as { value: unknown }).value), chunk: (s as { chunk: number }).chunk }),
};

/** msgpack garbage: decoding returns a value or throws MsgpackError, never anything else. */
const msgpackBytes: Target<Uint8Array> = {
  name: 'msgpack-bytes',
  input: fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.tuple(msgpackValue, fc.nat(), fc.nat({ max: 255 })).map(([v, at, b]) => {
    const buf = Buffer.from(encode(v));
    if (buf.length > 0) buf[at % buf.length] = b;
    return buf.subarray(0, buf.length - (at % 3));
  })),
  run(bytes) {
    try { decode(bytes); } catch (e) { if (!(e instanceof MsgpackError)) throw e; }
    const d = new Decoder();
    d.push(Buffer.from(bytes));
    for (let r = d.next(); r; r = d.next()) { /* values */ }
  },
  expected: (e) => e instanceof MsgpackError,
  ...asBytes,
};

/** yamux frames: a session fed arbitrary bytes closes with a YamuxError or goes on; nothing escapes. */
const yamux: Target<Uint8Array> = {
  name: 'yamux',
  input: fc.oneof(
    fc.uint8Array({ maxLength: 120 }),
    // well-formed headers with random fields, followed by random payloads
    fc.array(fc.tuple(fc.constantFrom(0, 0, 0, 1), fc.nat({ max: 4 }), fc.nat({ max: 15 }), fc.nat({ max: 6 }), fc.nat({ max: 40 }), fc.uint8Array({ maxLength: 40 })), { maxLength: 6 })
      .map((frames) => Buffer.concat(frames.map(([ver, type, flags, id, len, payload]) => {
        const h = Buffer.alloc(12);
        h[0] = ver; h[1] = type; h.writeUInt16BE(flags, 2); h.writeUInt32BE(id, 4); h.writeUInt32BE(len, 8);
        return Buffer.concat([h, payload.subarray(0, type === 0 ? len : 0)]);
      }))),
  ),
  async run(bytes) {
    const toUs = new PassThrough();
    const fromUs = new PassThrough();
    fromUs.resume();
    const conn = new (await import('node:stream')).Duplex({
      read() {},
      write(chunk, _enc, cb) { fromUs.write(chunk); cb(); },
    });
    toUs.on('data', (c: Buffer) => conn.push(c));
    const s = Session.server(conn, { keepAliveMs: false });
    const accepting = s.accept().then((st) => { st.on('error', () => {}); st.resume(); }, () => {});
    toUs.write(Buffer.from(bytes));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    s.close();
    await accepting;
  },
  expected: (e) => e instanceof YamuxError,
  ...asBytes,
};

/** gob CommandFinished: encodings round-trip; other bytes give an Error, no hang. */
const gob: Target<{ n: number } | { bytes: Uint8Array }> = {
  name: 'gob',
  input: fc.oneof(
    fc.integer().map((n) => ({ n })),
    fc.uint8Array({ maxLength: 60 }).map((bytes) => ({ bytes })),
    fc.tuple(fc.integer(), fc.nat(), fc.nat({ max: 255 })).map(([n, at, b]) => {
      const buf = Buffer.from(encodeCommandFinished(n));
      buf[at % buf.length] = b;
      return { bytes: buf };
    }),
  ),
  async run(input) {
    if ('n' in input) {
      assert.equal(await readCommandFinished(Readable.from([encodeCommandFinished(input.n)])), input.n);
      return;
    }
    try {
      const v = await readCommandFinished(Readable.from([Buffer.from(input.bytes)]));
      assert.ok(Number.isInteger(v), `not an int: ${v}`);
    } catch (e) {
      if (!(e instanceof Error) || e instanceof TypeError || e instanceof RangeError) throw e;
    }
  },
  expected: () => false,
  save: (i) => ('n' in i ? i : { bytes: Buffer.from(i.bytes).toString('hex') }),
  load: (s) => ('n' in (s as object) ? (s as { n: number }) : { bytes: Buffer.from((s as { bytes: string }).bytes, 'hex') }),
};

const HANDSHAKE_TOKENS = ['5', '4', '0', '|', 'unix', 'tcp', 'udp', '/tmp/x', '127.0.0.1', ':', '[', ']', '::1', '65535', '65536', '99999', 'abc', ' ', '\r', '', '-1', '1e3', '[::1]:80'];

/** Handshake lines: parsed or a HandshakeError; what parses has a usable address. */
const handshake: Target<string> = {
  name: 'handshake',
  input: fc.oneof(fc.array(fc.constantFrom(...HANDSHAKE_TOKENS), { maxLength: 10 }).map((t) => t.join('')), fc.string({ maxLength: 40 })),
  run(line) {
    const h = parseHandshake(line);
    if (h.network === 'tcp') {
      const { port } = splitHostPort(h.address);
      assert.ok(Number.isInteger(port) && port >= 0 && port <= 65535, `port ${port}`);
    } else assert.ok(h.address !== '');
  },
  expected: (e) => e instanceof HandshakeError,
  ...asString,
};

export const TARGETS: Record<string, Target<never>> = Object.fromEntries(
  [json, interpolation, msgpack, msgpackBytes, yamux, gob, handshake].map((t) => [t.name, t as unknown as Target<never>]),
);
