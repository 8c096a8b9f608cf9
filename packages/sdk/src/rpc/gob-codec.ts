/**
 * Go's encoding/gob, as far as Packer's plugin protocol needs it: the hcldec spec a component sends
 * from ConfigSpec/OutputSpec and the cty.Value a datasource returns from Execute (gob mode), each a
 * fresh gob.Encoder stream. The encoder follows encoding/gob's algorithm step by step (type ids
 * allocated process-wide on first use, parents before struct fields and after map/slice elements;
 * type definitions of interface values written into the enclosing message's buffer), so a value
 * built from the same Go types comes out byte for byte as a Go process that encoded the same
 * sequence of values writes it. The decoder reads any gob stream into plain values, by the type
 * definitions the stream carries.
 *
 * Public API
 *   Go types:   goBool, goInt, goUint, goFloat, goString, goBytes, goInterface (predefined);
 *               goStruct(name, fields[]), goMap(name, key, elem), goSlice(name, elem),
 *               goGobEncoder(name) (a type with a GobEncode method: its value is () => Buffer)
 *   new Iface(registeredName, type, value)   a non-nil interface value
 *   gobEncode(type, value, fixedIds?): Buffer   one Encoder, one Encode call; fixedIds pins the ids
 *                                            of some types (a value whose bytes are known from Go)
 *   gobDecode(buf): unknown                  the first value of a stream. Structs decode to
 *       { field: value } (absent = zero, as Go), maps to Map, interfaces to GobInterface, GobEncoder
 *       values to Buffer (their own bytes, to decode further)
 *   GobInterface { name, value }
 *   GobReader(buf, end?)   uint()/n()/int()/bytes()/string() over a buffer, for hand-written readers
 *   gobDecode(buf, onType?)   onType(id, definition) for each type definition read (diagnostics)
 */

export type GoType =
  | { kind: 'basic'; id: number; name: string }
  | { kind: 'struct'; name: string; fields: { name: string; type: GoType }[] }
  | { kind: 'map'; name: string; key: GoType; elem: GoType }
  | { kind: 'slice'; name: string; elem: GoType }
  | { kind: 'gob'; name: string };

const basic = (id: number, name: string): GoType => ({ kind: 'basic', id, name });
export const goBool = basic(1, 'bool');
export const goInt = basic(2, 'int');
export const goUint = basic(3, 'uint');
export const goFloat = basic(4, 'float');
export const goBytes = basic(5, '[]byte');
export const goString = basic(6, 'string');
export const goInterface = basic(8, 'interface');

export function goStruct(name: string, fields: { name: string; type: GoType }[]): GoType {
  return { kind: 'struct', name, fields };
}
export function goMap(name: string, key: GoType, elem: GoType): GoType {
  return { kind: 'map', name, key, elem };
}
export function goSlice(name: string, elem: GoType): GoType {
  return { kind: 'slice', name, elem };
}
export function goGobEncoder(name: string): GoType {
  return { kind: 'gob', name };
}

/** A non-nil interface value: the concrete type's registered name, its type and value. */
export class Iface {
  constructor(readonly name: string, readonly type: GoType, readonly value: unknown) {}
}

const FIRST_USER_ID = 64;

/** Process-wide type ids, as encoding/gob's registry. */
const ids = new Map<GoType, number>();
let nextId = FIRST_USER_ID;

let pinned: Map<GoType, number> | undefined;

function typeId(t: GoType): number {
  if (t.kind === 'basic') return t.id;
  const fixed = pinned?.get(t);
  if (fixed !== undefined) return fixed;
  const known = ids.get(t);
  if (known !== undefined) return known;
  switch (t.kind) {
    case 'struct':
      ids.set(t, nextId++);
      for (const f of t.fields) typeId(f.type);
      break;
    case 'map':
      typeId(t.key); typeId(t.elem);
      ids.set(t, nextId++);
      break;
    case 'slice':
      typeId(t.elem);
      ids.set(t, nextId++);
      break;
    case 'gob':
      ids.set(t, nextId++);
      break;
  }
  return ids.get(t)!;
}

class Buf {
  bytes: number[] = [];
  uint(n: number | bigint): void {
    let v = BigInt(n);
    if (v < 0x80n) { this.bytes.push(Number(v)); return; }
    const b: number[] = [];
    while (v > 0n) { b.unshift(Number(v & 0xffn)); v >>= 8n; }
    this.bytes.push(256 - b.length, ...b);
  }
  int(n: number | bigint): void {
    const i = BigInt(n);
    this.uint(i < 0n ? ((~i) << 1n) | 1n : i << 1n);
  }
  raw(b: ArrayLike<number>): void { for (let i = 0; i < b.length; i++) this.bytes.push(b[i]!); }
  string(s: string): void { const b = Buffer.from(s, 'utf8'); this.uint(b.length); this.raw(b); }
}

function isZero(t: GoType, v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (t.kind === 'basic') {
    switch (t.id) {
      case 1: return v === false;
      case 2: case 3: case 4: return v === 0 || v === 0n;
      case 5: case 6: return (v as { length: number }).length === 0;
    }
    return false;
  }
  return false;
}

class Encoder {
  private readonly sent = new Set<GoType>();
  private readonly writers: Buf[];
  constructor(out: Buf) { this.writers = [out]; }

  private writer(): Buf { return this.writers[this.writers.length - 1]!; }

  private static writeMessage(w: Buf, b: Buf): void {
    const body = b.bytes;
    b.bytes = [];
    w.uint(body.length);
    w.raw(body);
  }

  private sendType(w: Buf, state: Buf, t: GoType): void {
    if (t.kind === 'basic' || this.sent.has(t)) return;
    const id = typeId(t);
    state.int(-id);
    this.wireType(state, t, id);
    Encoder.writeMessage(w, state);
    this.sent.add(t);
    if (t.kind === 'struct') for (const f of t.fields) this.sendType(w, state, f.type);
    else if (t.kind === 'slice') this.sendType(w, state, t.elem);
    else if (t.kind === 'map') { this.sendType(w, state, t.key); this.sendType(w, state, t.elem); }
  }

  /** wireType{ArrayT, SliceT, StructT, MapT, GobEncoderT, ...} with the one field set. */
  private wireType(b: Buf, t: GoType, id: number): void {
    const common = (): void => {
      b.uint(1); // CommonType
      if (t.kind !== 'basic' && t.name !== '') { b.uint(1); b.string(t.name); b.uint(1); } else b.uint(2);
      b.int(id);
      b.uint(0);
    };
    switch (t.kind) {
      case 'slice':
        b.uint(2); common(); b.uint(1); b.int(typeId(t.elem)); b.uint(0); break;
      case 'struct':
        b.uint(3); common();
        if (t.fields.length > 0) b.uint(1), b.uint(t.fields.length);
        for (const f of t.fields) { b.uint(1); b.string(f.name); b.uint(1); b.int(typeId(f.type)); b.uint(0); }
        b.uint(0);
        break;
      case 'map':
        b.uint(4); common(); b.uint(1); b.int(typeId(t.key)); b.uint(1); b.int(typeId(t.elem)); b.uint(0); break;
      case 'gob':
        b.uint(5); common(); b.uint(0); break;
    }
    b.uint(0);
  }

  encodeTop(t: GoType, v: unknown): void {
    const state = new Buf();
    this.sendType(this.writer(), state, t);
    state.int(typeId(t));
    if (t.kind === 'struct') this.struct(state, t, v);
    else { state.uint(0); this.value(state, t, v); }
    Encoder.writeMessage(this.writer(), state);
  }

  private struct(b: Buf, t: GoType & { kind: 'struct' }, v: unknown): void {
    const o = (v ?? {}) as Record<string, unknown>;
    let last = -1;
    t.fields.forEach((f, i) => {
      const x = o[f.name];
      if (isZero(f.type, x) || (f.type.kind === 'map' && x === undefined) || (f.type.kind === 'slice' && (x === undefined || (x as unknown[]).length === 0))) return;
      if (f.type.kind === 'gob' && x === undefined) return;
      b.uint(i - last);
      last = i;
      this.value(b, f.type, x);
    });
    b.uint(0);
  }

  private value(b: Buf, t: GoType, v: unknown): void {
    switch (t.kind) {
      case 'basic':
        switch (t.id) {
          case 1: b.uint(v ? 1 : 0); return;
          case 2: b.int((v ?? 0) as number); return;
          case 3: b.uint((v ?? 0) as number); return;
          case 4: {
            const dv = new DataView(new ArrayBuffer(8));
            dv.setFloat64(0, Number(v ?? 0), true); // byte-reversed: little-endian read as big-endian
            b.uint(dv.getBigUint64(0, false));
            return;
          }
          case 5: { const x = (v ?? Buffer.alloc(0)) as Uint8Array; b.uint(x.length); b.raw(x); return; }
          case 6: b.string(String(v ?? '')); return;
          case 8: this.iface(b, v as Iface | null); return;
        }
        throw new Error(`gob: cannot encode basic type ${t.name}`);
      case 'struct': this.struct(b, t, v); return;
      case 'slice': {
        const a = (v ?? []) as unknown[];
        b.uint(a.length);
        for (const x of a) this.value(b, t.elem, x);
        return;
      }
      case 'map': {
        const entries = v instanceof Map ? [...v.entries()] : Array.isArray(v) ? (v as [unknown, unknown][]) : Object.entries((v ?? {}) as object);
        b.uint(entries.length);
        for (const [k, x] of entries) { this.value(b, t.key, k); this.value(b, t.elem, x); }
        return;
      }
      case 'gob': {
        const data = typeof v === 'function' ? (v as () => Uint8Array)() : (v as Uint8Array);
        b.uint(data.length);
        b.raw(data);
        return;
      }
    }
  }

  private iface(b: Buf, iv: Iface | null): void {
    if (iv === null || iv === undefined) { b.uint(0); return; }
    b.string(iv.name);
    this.sendType(this.writer(), b, iv.type);
    b.int(typeId(iv.type));
    this.writers.push(b);
    const data = new Buf();
    if (iv.type.kind === 'struct') this.struct(data, iv.type, iv.value);
    else { data.uint(0); this.value(data, iv.type, iv.value); }
    this.writers.pop();
    Encoder.writeMessage(b, data);
  }
}

/** The bytes of `gob.NewEncoder(w).Encode(v)` for a value of Go type `t`. */
export function gobEncode(t: GoType, v: unknown, fixedIds?: Map<GoType, number>): Buffer {
  const out = new Buf();
  const saved = pinned;
  pinned = fixedIds;
  try {
    new Encoder(out).encodeTop(t, v);
  } finally {
    pinned = saved;
  }
  return Buffer.from(out.bytes);
}

// ---- decoding ----

export class GobInterface {
  constructor(readonly name: string, readonly value: unknown) {}
}

/** A type definition read from a stream. */
export type GobWireType = WireT;
type WireT =
  | { kind: 'struct'; name: string; fields: { name: string; id: number }[] }
  | { kind: 'map'; name: string; key: number; elem: number }
  | { kind: 'slice' | 'array'; name: string; elem: number; len?: number }
  | { kind: 'gob'; name: string };

/** Reads gob's unsigned/signed integers and byte strings from a buffer (throws 'gob: unexpected EOF'). */
export class GobReader {
  pos = 0;
  constructor(readonly buf: Uint8Array, readonly end = buf.length) {}
  uint(): bigint {
    if (this.pos >= this.end) throw new Error('gob: unexpected EOF');
    const b = this.buf[this.pos++]!;
    if (b < 0x80) return BigInt(b);
    const n = 256 - b;
    if (n > 8) throw new Error('gob: bad unsigned integer');
    if (this.pos + n > this.end) throw new Error('gob: unexpected EOF');
    let v = 0n;
    for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(this.buf[this.pos++]!);
    return v;
  }
  n(): number { return Number(this.uint()); }
  int(): number {
    const u = this.uint();
    return Number(u & 1n ? ~(u >> 1n) : u >> 1n);
  }
  bytes(): Uint8Array {
    const n = this.n();
    if (this.pos + n > this.end) throw new Error('gob: unexpected EOF');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  string(): string { return Buffer.from(this.bytes()).toString('utf8'); }
}

class Decoder {
  private readonly types = new Map<number, WireT>();
  private readonly stream: GobReader;
  /** The current message, as encoding/gob's Decoder.buf: refilled only between type sequences. */
  private r: GobReader;
  constructor(buf: Uint8Array, private readonly onType?: (id: number, t: WireT) => void) { this.stream = new GobReader(buf); this.r = new GobReader(buf, 0); }

  private recvMessage(): void {
    const len = this.stream.n();
    const start = this.stream.pos;
    if (start + len > this.stream.end) throw new Error('gob: unexpected EOF');
    this.stream.pos += len;
    this.r = new GobReader(this.stream.buf, start + len);
    this.r.pos = start;
  }

  private empty(): boolean { return this.r.pos >= this.r.end; }

  private typeSequence(isInterface: boolean): number {
    for (;;) {
      if (this.empty()) this.recvMessage();
      const id = this.r.int();
      if (id >= 0) return id;
      const wt = this.readWireType();
      this.types.set(-id, wt);
      this.onType?.(-id, wt);
      if (!this.empty()) {
        if (!isInterface) throw new Error('gob: extra data in buffer');
        this.r.uint();
      }
    }
  }

  private readStruct(fields: ((r: GobReader) => void)[]): void {
    let f = -1;
    for (;;) {
      const d = this.r.n();
      if (d === 0) return;
      f += d;
      const h = fields[f];
      if (!h) throw new Error(`gob: bad field ${f} in type definition`);
      h(this.r);
    }
  }

  private readWireType(): WireT {
    let out: WireT | undefined;
    const common = (c: { name: string }) => (): void => this.readStruct([(r) => { c.name = r.string(); }, (r) => { r.int(); }]);
    this.readStruct([
      () => { const t = { kind: 'array' as const, name: '', elem: 0, len: 0 }; this.readStruct([common(t), (r) => { t.elem = r.int(); }, (r) => { t.len = r.int(); }]); out = t; },
      () => { const t = { kind: 'slice' as const, name: '', elem: 0 }; this.readStruct([common(t), (r) => { t.elem = r.int(); }]); out = t; },
      () => {
        const t = { kind: 'struct' as const, name: '', fields: [] as { name: string; id: number }[] };
        this.readStruct([common(t), (r) => {
          const n = r.n();
          for (let i = 0; i < n; i++) { const f = { name: '', id: 0 }; this.readStruct([(rr) => { f.name = rr.string(); }, (rr) => { f.id = rr.int(); }]); t.fields.push(f); }
        }]);
        out = t;
      },
      () => { const t = { kind: 'map' as const, name: '', key: 0, elem: 0 }; this.readStruct([common(t), (r) => { t.key = r.int(); }, (r) => { t.elem = r.int(); }]); out = t; },
      () => { const t = { kind: 'gob' as const, name: '' }; this.readStruct([common(t)]); out = t; },
      () => { const t = { kind: 'gob' as const, name: '' }; this.readStruct([common(t)]); out = t; },
      () => { const t = { kind: 'gob' as const, name: '' }; this.readStruct([common(t)]); out = t; },
    ]);
    if (!out) throw new Error('gob: empty type definition');
    return out;
  }

  decodeTop(): unknown {
    const id = this.typeSequence(false);
    const t = this.types.get(id);
    if (t?.kind === 'struct') return this.struct(t);
    if (this.r.n() !== 0) throw new Error('gob: bad singleton field');
    return this.value(id);
  }

  private struct(t: WireT & { kind: 'struct' }): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    let f = -1;
    for (;;) {
      const d = this.r.n();
      if (d === 0) return out;
      f += d;
      const field = t.fields[f];
      if (!field) throw new Error(`gob: field ${f} out of range`);
      out[field.name] = this.value(field.id);
    }
  }

  private value(id: number): unknown {
    switch (id) {
      case 1: return this.r.uint() !== 0n;
      case 2: return this.r.int();
      case 3: return this.r.n();
      case 4: {
        const u = this.r.uint();
        const dv = new DataView(new ArrayBuffer(8));
        dv.setBigUint64(0, u, false);
        return dv.getFloat64(0, true);
      }
      case 5: return Buffer.from(this.r.bytes());
      case 6: return this.r.string();
      case 8: return this.iface();
    }
    const t = this.types.get(id);
    if (!t) throw new Error(`gob: unknown type id ${id}`);
    switch (t.kind) {
      case 'struct': return this.struct(t);
      case 'slice': case 'array': {
        const n = this.r.n();
        const a: unknown[] = [];
        for (let i = 0; i < n; i++) a.push(this.value(t.elem));
        return a;
      }
      case 'map': {
        const n = this.r.n();
        const m = new Map<unknown, unknown>();
        for (let i = 0; i < n; i++) { const k = this.value(t.key); m.set(k, this.value(t.elem)); }
        return m;
      }
      case 'gob': return Buffer.from(this.r.bytes());
    }
  }

  private iface(): unknown {
    const name = this.r.string();
    if (name === '') return null;
    const id = this.typeSequence(true);
    this.r.n(); // the value's byte count
    const t = this.types.get(id);
    let v: unknown;
    if (t?.kind === 'struct') v = this.struct(t);
    else {
      if (this.r.n() !== 0) throw new Error('gob: bad interface value');
      v = this.value(id);
    }
    return new GobInterface(name, v);
  }
}

/** Decodes the first value of a gob stream. */
export function gobDecode(buf: Uint8Array, onType?: (id: number, t: GobWireType) => void): unknown {
  return new Decoder(buf, onType).decodeTop();
}
