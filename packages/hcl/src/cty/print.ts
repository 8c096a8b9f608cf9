// Text forms of values: Go's float formatting and Packer's console printer
// (hcl2template.PrintableCtyValue: values go through the hcl2shim form,
// then the REPL formatter).
import type { Value } from './value.ts';
import { goQuote } from './value.ts';
import { cmpStr } from './types.ts';

/** strconv.FormatFloat(f, 'g', -1, 64), i.e. fmt's %g of a float64. */
export function formatFloatG(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [m, e] = f.toExponential().split('e');
  const neg = m.startsWith('-');
  const digits = m.replace('-', '').replace('.', '');
  const exp = parseInt(e, 10);
  const sign = neg ? '-' : '';
  if (exp < -4 || exp >= 6) {
    const ae = Math.abs(exp);
    return `${sign}${digits[0]}${digits.length > 1 ? '.' + digits.slice(1) : ''}e${exp < 0 ? '-' : '+'}${ae < 10 ? '0' + ae : ae}`;
  }
  const dp = exp + 1;
  let s: string;
  if (dp <= 0) s = '0.' + '0'.repeat(-dp) + digits;
  else if (dp >= digits.length) s = digits + '0'.repeat(dp - digits.length);
  else s = digits.slice(0, dp) + '.' + digits.slice(dp);
  return sign + s;
}

/** Packer's console/inspect rendering of a value ("<unknown>" when not wholly known). */
export function printableValue(v: Value): string {
  if (!v.isWhollyKnown()) return '<unknown>';
  return formatResult(shim(v), false);
}

type Shim = null | string | number | bigint | boolean | Shim[] | Map<string, Shim>;

function shim(v0: Value): Shim {
  const [v] = v0.unmark();
  if (v.isNull()) return null;
  switch (v.type.kind) {
    case 'bool':
      return v.asBool();
    case 'string':
      return v.asString();
    case 'number': {
      const f = v.asBigFloat();
      const i = f.int64();
      if (i.exact) return i.value;
      return f.toNumber();
    }
    case 'list':
    case 'set':
    case 'tuple':
      return v.values().map(shim);
    case 'map':
    case 'object': {
      const m = new Map<string, Shim>();
      for (const [k, e] of v.entries()) {
        const s = shim(e);
        if (s !== null) m.set(k, s);
      }
      return m;
    }
    default:
      return null;
  }
}

// The REPL formatter, which indents each nested value's lines by two spaces;
// written here with the indentation passed down, so that a value nested n
// deep prints in time proportional to its output, not n times over.
function formatResult(s: Shim, nested: boolean): string {
  const out: string[] = [];
  writeResult(s, nested, '', out);
  return out.join('');
}

function writeResult(s: Shim, nested: boolean, pad: string, out: string[]): void {
  if (s === null) out.push('null');
  else if (typeof s === 'string') out.push(nested ? goQuote(s) : s);
  else if (typeof s === 'bigint') out.push(s.toString());
  else if (typeof s === 'number') out.push(formatFloatG(s));
  else if (typeof s === 'boolean') out.push(s ? 'true' : 'false');
  else if (Array.isArray(s)) {
    const inner = pad + '  ';
    out.push(s.length ? '[\n' : '[');
    for (const e of s) {
      out.push(inner);
      writeResult(e, true, inner, out);
      out.push(',\n');
    }
    out.push(s.length ? pad + ']' : ']');
  } else {
    const inner = pad + '  ';
    const keys = [...s.keys()].sort(cmpStr);
    out.push(keys.length ? '{\n' : '{');
    for (const k of keys) {
      out.push(inner, goQuote(k), ' = ');
      writeResult(s.get(k)!, true, inner, out);
      out.push('\n');
    }
    out.push(keys.length ? pad + '}' : '}');
  }
}
