/**
 * JSON output byte-compatible with Go's json.MarshalIndent(v, "", "  "):
 * HTML-safe escapes (<, >, & as \u003c...), U+2028/2029 escaped, maps with
 * sorted keys, empty arrays/objects as [] and {}.
 */

/** A map whose keys are written sorted (a Go map). Plain objects keep their key order (a Go struct). */
export class GoMap {
  constructor(readonly entries: Record<string, unknown>) {}
}

export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) {
      out += '\\u' + c.toString(16).padStart(4, '0');
    } else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

export function goMarshalIndent(v: unknown, indent = '  ', prefix = ''): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const inner = prefix + indent;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[\n' + v.map((x) => inner + goMarshalIndent(x, indent, inner)).join(',\n') + '\n' + prefix + ']';
  }
  let entries: [string, unknown][];
  if (v instanceof GoMap) {
    entries = Object.entries(v.entries).sort(([a], [b]) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
  } else {
    entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  }
  if (entries.length === 0) return '{}';
  return '{\n' + entries.map(([k, x]) => `${inner}${goQuote(k)}: ${goMarshalIndent(x, indent, inner)}`).join(',\n') + '\n' + prefix + '}';
}
