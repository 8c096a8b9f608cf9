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

function formatResult(s: Shim, nested: boolean): string {
  if (s === null) return 'null';
  if (typeof s === 'string') return nested ? goQuote(s) : s;
  if (typeof s === 'bigint') return s.toString();
  if (typeof s === 'number') return formatFloatG(s);
  if (typeof s === 'boolean') return s ? 'true' : 'false';
  if (Array.isArray(s)) {
    let out = '[';
    if (s.length) out += '\n';
    for (const e of s) out += indent(formatResult(e, true)) + ',\n';
    return out + ']';
  }
  const keys = [...s.keys()].sort(cmpStr);
  let out = '{';
  if (keys.length) out += '\n';
  for (const k of keys) out += indent(`${goQuote(k)} = ${formatResult(s.get(k)!, true)}`) + '\n';
  return out + '}';
}

function indent(s: string): string {
  // bufio.Scanner lines: a trailing newline yields no extra empty line
  const lines = s.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => '  ' + l).join('\n');
}
