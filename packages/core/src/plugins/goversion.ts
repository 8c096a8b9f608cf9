/**
 * Versions and version constraints as hashicorp/go-version reads them (the syntax of
 * `required_plugins` versions and of `plugins install SOURCE CONSTRAINT`): `1.2.3`, `v1.2`,
 * `1.0.0-dev`; constraints `>= 1.0, < 2`, `~> 1.2`, `!= 1.3.0`, `= 1.0`.
 */
export interface GoVersion {
  segments: number[];
  /** How many segments the text gave (go-version's String() prints that many). */
  given: number;
  prerelease: string;
  metadata: string;
  original: string;
}

const VERSION_RE = /^v?([0-9]+(?:\.[0-9]+)*?)(-([0-9]+[0-9A-Za-z\-~]*(?:\.[0-9A-Za-z\-~]+)*)|(-?([A-Za-z\-~]+[0-9A-Za-z\-~]*(?:\.[0-9A-Za-z\-~]+)*)))?(\+([0-9A-Za-z\-~]+(?:\.[0-9A-Za-z\-~]+)*))?$/;
const SEMVER_RE = /^v?([0-9]+(?:\.[0-9]+){0,2})(-([0-9]+[0-9A-Za-z\-~]*(?:\.[0-9A-Za-z\-~]+)*)|(-([A-Za-z\-~]+[0-9A-Za-z\-~]*(?:\.[0-9A-Za-z\-~]+)*)))?(\+([0-9A-Za-z\-~]+(?:\.[0-9A-Za-z\-~]+)*))?$/;

function parseWith(re: RegExp, v: string): GoVersion {
  const m = re.exec(v);
  if (!m) throw new Error(`Malformed version: ${v}`);
  const parts = m[1]!.split('.');
  const segments = parts.map(Number);
  const given = segments.length;
  while (segments.length < 3) segments.push(0);
  return { segments, given, prerelease: m[3] ?? m[5] ?? '', metadata: m[7] ?? '', original: v };
}

/** go-version's NewVersion. Throws `Malformed version: V`. */
export function parseGoVersion(v: string): GoVersion {
  return parseWith(VERSION_RE, v);
}

/** go-version's NewSemver (at most three segments). */
export function parseSemver(v: string): GoVersion {
  return parseWith(SEMVER_RE, v);
}

/** go-version's String(): the given segments, `-pre`, `+meta`. */
export function versionString(v: GoVersion): string {
  let s = v.segments.slice(0, v.given).join('.');
  if (v.prerelease) s += `-${v.prerelease}`;
  if (v.metadata) s += `+${v.metadata}`;
  return s;
}

/** MAJOR.MINOR.PATCH. */
export function coreString(v: GoVersion): string {
  return v.segments.slice(0, 3).join('.');
}

function comparePre(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '') return 1;
  if (b === '') return -1;
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] === undefined) return -1;
    if (y[i] === undefined) return 1;
    const nx = /^\d+$/.test(x[i]!);
    const ny = /^\d+$/.test(y[i]!);
    if (nx && ny) { const d = Number(x[i]) - Number(y[i]); if (d !== 0) return Math.sign(d); continue; }
    if (nx !== ny) return nx ? -1 : 1;
    if (x[i]! < y[i]!) return -1;
    if (x[i]! > y[i]!) return 1;
  }
  return 0;
}

/** -1, 0, 1 (metadata ignored, as go-version does). */
export function compareGoVersions(a: GoVersion, b: GoVersion): number {
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const d = (a.segments[i] ?? 0) - (b.segments[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return comparePre(a.prerelease, b.prerelease);
}

interface Clause { op: string; version: GoVersion }
export type Constraints = Clause[];

const CLAUSE_RE = /^\s*(=|!=|>=|<=|>|<|~>)?\s*(\S+)\s*$/;

/** go-version's NewConstraint. Throws `malformed constraint: PART`. */
export function parseConstraints(text: string): Constraints {
  return text.split(',').map((part) => {
    const m = CLAUSE_RE.exec(part);
    let version: GoVersion | undefined;
    try { if (m) version = parseGoVersion(m[2]!); } catch { /* reported below */ }
    if (!m || !version) throw new Error(`malformed constraint: ${part}`);
    return { op: m[1] ?? '=', version };
  });
}

/**
 * go-version's prereleaseCheck, which every ordering operator applies: a pre-release version
 * matches only a constraint with a pre-release of the same segments.
 */
function prereleaseOk(v: GoVersion, c: GoVersion): boolean {
  if (v.prerelease === '') return true;
  if (c.prerelease === '') return false;
  return v.segments.length === c.segments.length && v.segments.every((s, i) => s === c.segments[i]);
}

/** Whether `v` satisfies every clause. */
export function satisfies(v: GoVersion, cs: Constraints): boolean {
  return cs.every(({ op, version: c }) => {
    const cmp = compareGoVersions(v, c);
    if (op !== '=' && op !== '!=' && !prereleaseOk(v, c)) return false;
    switch (op) {
      case '=': return cmp === 0;
      case '!=': return cmp !== 0;
      case '>': return cmp > 0;
      case '<': return cmp < 0;
      case '>=': return cmp >= 0;
      case '<=': return cmp <= 0;
      default: { // ~>: at least c, and the same leading segments but the last one given
        if (cmp < 0) return false;
        const keep = Math.max(c.given - 1, 1);
        for (let i = 0; i < keep; i++) if (v.segments[i] !== c.segments[i]) return false;
        return true;
      }
    }
  });
}
