/** The Packer version packer-ts is compatible with and reports to components. */
export const PACKER_COMPAT_VERSION = '1.6.6';
/** packer-ts's own version. */
export const VERSION = '0.1.0';

/** Compares dotted versions ("1.6.6" vs "1.10.0"). Throws on a malformed one. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): number[] => {
    const m = /^v?(\d+(?:\.\d+)*)(?:[-+].*)?$/.exec(v.trim());
    if (!m) throw new Error(`Malformed version: ${v}`);
    return m[1]!.split('.').map(Number);
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < Math.max(x.length, y.length, 3); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}
