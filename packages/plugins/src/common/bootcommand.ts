/**
 * Boot commands (Packer's bootcommand package): the key syntax of
 * `boot_command` (`<enter>`, `<wait5>`, `<wait1m30s>`, `<leftCtrlOn>`, `<f1>`,
 * `<aOn>`...), parsed into a sequence, and a driver that types the sequence as
 * X11 keysyms (what a VNC server takes).
 */
import { parseGoDuration, sleep } from '@packer-ts/sdk';

export type KeyAction = 'on' | 'off' | 'press';

export type BootExpr =
  | { kind: 'wait'; ms: number }
  | { kind: 'special'; key: string; action: KeyAction }
  | { kind: 'literal'; ch: string; action: KeyAction };

/** Special key names, in the order Packer's grammar tries them (longest prefix first where it matters). */
const SPECIAL_KEYS = [
  'bs', 'del', 'enter', 'esc', 'f10', 'f11', 'f12', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9',
  'return', 'tab', 'up', 'down', 'spacebar', 'insert', 'home', 'end', 'pageup', 'pagedown', 'leftalt',
  'leftctrl', 'leftshift', 'rightalt', 'rightctrl', 'rightshift', 'leftsuper', 'rightsuper', 'left', 'right',
];

/** X11 keysyms of the special keys (as Packer's VNC driver sends them). */
export const VNC_SPECIAL: Record<string, number> = {
  bs: 0xff08, del: 0xffff, down: 0xff54, end: 0xff57, enter: 0xff0d, esc: 0xff1b,
  f1: 0xffbe, f2: 0xffbf, f3: 0xffc0, f4: 0xffc1, f5: 0xffc2, f6: 0xffc3, f7: 0xffc4, f8: 0xffc5,
  f9: 0xffc6, f10: 0xffc7, f11: 0xffc8, f12: 0xffc9, home: 0xff50, insert: 0xff63, left: 0xff51,
  leftalt: 0xffe9, leftctrl: 0xffe3, leftshift: 0xffe1, leftsuper: 0xffeb, menu: 0xff67,
  pagedown: 0xff56, pageup: 0xff55, return: 0xff0d, right: 0xff53, rightalt: 0xffea,
  rightctrl: 0xffe4, rightshift: 0xffe2, rightsuper: 0xffec, spacebar: 0x020, tab: 0xff09, up: 0xff52,
};
const KEY_LEFT_SHIFT = 0xffe1;
const SHIFTED_CHARS = '~!@#$%^&*()_+{}|:"<>?';

const DURATION_RE = /^(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:ns|us|\u00b5s|ms|s|m|h))+/; // \u00b5: µ, the bundles stay ASCII (scripts/build.mjs)
const INTEGER_RE = /^(?:0|[1-9][0-9]*)/;

/**
 * Parses a boot command into expressions; like Packer's PEG grammar, text that
 * is not a valid `<...>` expression is typed literally.
 */
export function parseBootCommand(command: string): BootExpr[] {
  const out: BootExpr[] = [];
  let i = 0;
  while (i < command.length) {
    if (command[i] === '<') {
      const e = parseExpr(command, i);
      if (e) { out.push(e.expr); i = e.end; continue; }
    }
    const cp = command.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    out.push({ kind: 'literal', ch, action: 'press' });
    i += ch.length;
  }
  return out;
}

function parseExpr(s: string, start: number): { expr: BootExpr; end: number } | undefined {
  const rest = s.slice(start + 1);
  // <wait>, <wait5>, <wait1m30s>
  if (/^wait/i.test(rest) && rest.slice(0, 4) === 'wait') {
    const after = rest.slice(4);
    if (after.startsWith('>')) return { expr: { kind: 'wait', ms: 1000 }, end: start + 6 };
    const d = DURATION_RE.exec(after);
    if (d && after[d[0].length] === '>') {
      return { expr: { kind: 'wait', ms: parseGoDuration(d[0]) / 1e6 }, end: start + 1 + 4 + d[0].length + 1 };
    }
    const n = INTEGER_RE.exec(after);
    if (n && after[n[0].length] === '>') {
      return { expr: { kind: 'wait', ms: Number(n[0]) * 1000 }, end: start + 1 + 4 + n[0].length + 1 };
    }
  }
  // <aOn>, <aOff>: one character toggled
  if (rest.length >= 3) {
    const ch = String.fromCodePoint(rest.codePointAt(0)!);
    const t = rest.slice(ch.length);
    const m = /^(on|off)>/i.exec(t);
    if (m) {
      return { expr: { kind: 'literal', ch, action: m[1].toLowerCase() as KeyAction }, end: start + 1 + ch.length + m[0].length };
    }
  }
  // specials, optionally On/Off
  const lower = rest.toLowerCase();
  for (const k of SPECIAL_KEYS) {
    if (!lower.startsWith(k)) continue;
    const t = lower.slice(k.length);
    if (t.startsWith('>')) return { expr: { kind: 'special', key: k, action: 'press' }, end: start + 1 + k.length + 1 };
    const m = /^(on|off)>/.exec(t);
    if (m) return { expr: { kind: 'special', key: k, action: m[1] as KeyAction }, end: start + 1 + k.length + m[0].length };
  }
  return undefined;
}

/** Packer's validation of a boot command (waits must be positive). */
export function validateBootCommand(exprs: BootExpr[]): string[] {
  return exprs.filter((e) => e.kind === 'wait' && e.ms <= 0).map((e) => `Expecting a positive wait value. Got ${(e as { ms: number }).ms}ms`);
}

export interface KeyEventSink {
  keyEvent(keysym: number, down: boolean): Promise<void>;
}


/** The key interval: `boot_key_interval`, else PACKER_KEY_INTERVAL, else 100 ms (per key event, as Packer). */
export function keyInterval(configured?: number): number {
  if (configured && configured > 0) return configured;
  const env = process.env.PACKER_KEY_INTERVAL;
  if (env) { try { return parseGoDuration(env) / 1e6; } catch { /* default */ } }
  return 100;
}

/** Types `exprs` as X11 keysyms, pausing `intervalMs` after every key event. */
export async function typeBootCommand(exprs: BootExpr[], sink: KeyEventSink, intervalMs: number, signal?: AbortSignal): Promise<void> {
  const ev = async (k: number, down: boolean) => {
    signal?.throwIfAborted();
    await sink.keyEvent(k, down);
    if (intervalMs > 0) await sleep(intervalMs, signal);
  };
  for (const e of exprs) {
    signal?.throwIfAborted();
    if (e.kind === 'wait') { await sleep(e.ms, signal); continue; }
    if (e.kind === 'special') {
      const k = VNC_SPECIAL[e.key];
      if (k === undefined) throw new Error(`special ${e.key} not found.`);
      if (e.action !== 'off') await ev(k, true);
      if (e.action !== 'on') await ev(k, false);
      continue;
    }
    const cp = e.ch.codePointAt(0)!;
    const shift = (e.ch !== e.ch.toLowerCase() && e.ch === e.ch.toUpperCase()) || SHIFTED_CHARS.includes(e.ch);
    const k = cp < 0x100 ? cp : 0x01000000 + cp;
    if (e.action === 'on') { if (shift) await ev(KEY_LEFT_SHIFT, true); await ev(k, true); continue; }
    if (e.action === 'off') { if (shift) await ev(KEY_LEFT_SHIFT, false); await ev(k, false); continue; }
    if (shift) await ev(KEY_LEFT_SHIFT, true);
    await ev(k, true);
    await ev(k, false);
    if (shift) await ev(KEY_LEFT_SHIFT, false);
  }
}
