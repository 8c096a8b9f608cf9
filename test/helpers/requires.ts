/**
 * What a test needs from the machine. A test that needs a tool fails, naming
 * the Debian package that provides it (from scripts/test-deps.apt, which
 * `npm test` installs); it never skips for its absence. (Only the binaries
 * of ../shared/fixtures/modern-plugins, which no registry has, may skip.)
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
/** Packer 1.6.6, the oracle every parity test compares with. */
export const REAL_PACKER = '/usr/bin/packer';
/** The bundle bin/packer-ts runs. */
export const BUNDLE = join(ROOT, 'dist/packer-ts.cjs');

/** scripts/test-deps.apt as [package, command-or-path] pairs. */
function aptLines(): [string, string | undefined][] {
  return readFileSync(join(ROOT, 'scripts/test-deps.apt'), 'utf8').split('\n')
    .map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => { const [pkg, probe] = l.split(/\s+/); return [pkg!, probe]; });
}

function onPath(cmd: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try { accessSync(join(dir, cmd), constants.X_OK); return true; } catch { /* next */ }
  }
  return false;
}

function present(tool: string): boolean {
  return tool.includes('/') ? existsSync(tool) : onPath(tool);
}

/** How to install `tool` (a command or a path), from scripts/test-deps.apt. */
export function installHint(tool: string): string {
  const line = aptLines().find(([pkg, probe]) => probe === tool || (probe === undefined && pkg === tool));
  if (!line) throw new Error(`${tool} is not listed in scripts/test-deps.apt: add "PACKAGE ${tool}" there`);
  return `apt-get install ${line[0]}`;
}

/** Why the tools are unusable here ("needs /usr/bin/packer: apt-get install packer"), or undefined. */
export function missingTools(...tools: string[]): string | undefined {
  const missing = tools.filter((t) => !present(t));
  return missing.length === 0 ? undefined : missing.map((t) => `needs ${t}: ${installHint(t)}`).join('; ');
}

/** Throws (failing the test or hook that calls it) unless every tool is installed. */
export function requireTools(...tools: string[]): void {
  const why = missingTools(...tools);
  if (why) throw new Error(why);
}

/** Throws unless the tests run as root (for what the machine only lets root do). */
export function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) throw new Error(`${what} needs root: run the tests as root (npm test)`);
}

/** Throws unless dist/ is built (tests that run bin/packer-ts). */
export function requireBundle(): void {
  if (!existsSync(BUNDLE)) throw new Error(`needs ${BUNDLE}: run node scripts/build.mjs (npm run build)`);
}
