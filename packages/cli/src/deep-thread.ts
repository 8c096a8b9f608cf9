/**
 * Deeply nested HCL input on a thread with a large stack (see packages/hcl/src/deep.ts).
 *
 * Packer (Go) reads templates nested some 30,000 levels deep; the HCL layer recurses once
 * per level, and the main thread's stack (V8's default, about 1 MB) holds about 1,500. So
 * the CLI's main thread tells the HCL layer a hand-off depth (HANDOFF_DEPTH): input nested
 * deeper makes the parser throw DeepNestingError while the template is read, before any
 * build starts or anything is printed, and main.ts runs the same command again on a
 * worker thread whose stack holds the HCL layer's own limit (NESTING_LIMIT levels) through
 * every stage: parse, evaluation, conversion, output, fmt. Node sizes a worker thread's real
 * stack from `resourceLimits.stackSizeMb`. The thread runs the same program file as this
 * process (bin/packer-ts or the bundle), with the same arguments and environment; its
 * output, stdin, exit code and the signals this process gets are passed through. A worker's
 * stdio are streams the main thread relays, never terminals: which of this process's stdin,
 * stdout and stderr are terminals, and their size (and its changes), are given to the thread,
 * whose streams then say so (isTTY, columns, rows, 'resize'), so that what depends on a
 * terminal (the Ui's progress bars, the console's prompt, `breakpoint`) is as on the main
 * thread. Nothing of this is loaded unless a template is that deep: worker_threads is
 * imported here on use.
 */

import { inheritStdinMode, stdinMode } from './stdin-mode.ts';

/** Nesting past which the main thread hands the command over (well within its stack at every stage). */
const HANDOFF_DEPTH = 500;

/**
 * The deep thread's stack, in MB: NESTING_LIMIT (100,000) levels of the costliest shape
 * (template interpolations, about 1.6 KB of stack per level through parse and evaluation)
 * with room to spare. Only the pages a run touches are ever committed.
 */
export const DEEP_STACK_MB = 512;

/** Set in the deep thread's environment (and removed at its start, so that children never see it). */
export const DEEP_THREAD_ENV = 'PACKER_TS_DEEP_THREAD';

/** The global the HCL layer reads the hand-off depth from (NESTING_HANDOFF in packages/hcl/src/deep.ts). */
const NESTING_HANDOFF = Symbol.for('packer-ts.hcl.nesting-handoff');

/** The main thread's stdin mode (stdin-mode.ts), given to the deep thread, whose stdin is a stream. */
const DEEP_STDIN_ENV = 'PACKER_TS_DEEP_STDIN';

/** Which of the main thread's stdio are terminals, and their sizes (Terminals as JSON), given to the deep thread. */
const DEEP_TTY_ENV = 'PACKER_TS_DEEP_TTY';

/** A terminal's size; `columns` 0 where it is unknown. */
interface TerminalSize { columns: number; rows: number }

/** For each of stdin, stdout, stderr: its size when it is a terminal, else null. */
interface Terminals { stdin: boolean; stdout: TerminalSize | null; stderr: TerminalSize | null }

/** Set (with DEEP_THREAD_ENV) on a thread that evaluates a console's deep lines (deep-console.ts). */
export const DEEP_CONSOLE_ENV = 'PACKER_TS_DEEP_CONSOLE';

let deepConsole = false;
let argvOfCommand: string[] = [];

/** Whether this process is the deep thread (read once, at start; takes the markers out of the environment). */
function takeDeepThreadMarker(env: NodeJS.ProcessEnv = process.env): boolean {
  const mark = env[DEEP_THREAD_ENV] === '1';
  if (mark) {
    inheritStdinMode(env[DEEP_STDIN_ENV]);
    inheritTerminals(env[DEEP_TTY_ENV]);
  }
  deepConsole = mark && env[DEEP_CONSOLE_ENV] === '1';
  delete env[DEEP_THREAD_ENV];
  delete env[DEEP_STDIN_ENV];
  delete env[DEEP_TTY_ENV];
  delete env[DEEP_CONSOLE_ENV];
  return mark;
}

/** The main thread's terminals. */
function terminals(): Terminals {
  const size = (s: NodeJS.WriteStream): TerminalSize | null => (s.isTTY ? { columns: s.columns ?? 0, rows: s.rows ?? 0 } : null);
  return { stdin: process.stdin.isTTY === true, stdout: size(process.stdout), stderr: size(process.stderr) };
}

/** On the deep thread: its stdio streams (the main thread's relays) say what the main thread's are. */
function inheritTerminals(json: string | undefined): void {
  let t: Terminals;
  try {
    t = JSON.parse(json ?? '') as Terminals;
  } catch {
    return;
  }
  if (t.stdin) Object.defineProperty(process.stdin, 'isTTY', { value: true, configurable: true });
  resizeTerminals(t);
}

/** On the deep thread: the main thread's terminals now have these sizes. */
function resizeTerminals(t: Terminals): void {
  for (const [stream, size] of [[process.stdout, t.stdout], [process.stderr, t.stderr]] as const) {
    if (!size) continue;
    const changed = stream.isTTY === true && (stream.columns !== size.columns || stream.rows !== size.rows);
    for (const [k, v] of [['isTTY', true], ['columns', size.columns || undefined], ['rows', size.rows || undefined]] as const) {
      Object.defineProperty(stream, k, { value: v, configurable: true, writable: true });
    }
    if (changed) stream.emit('resize');
  }
}

/** Whether this thread evaluates a console's deep lines for the main thread (deep-console.ts) instead of reading stdin. */
export function isDeepConsoleThread(): boolean {
  return deepConsole;
}

/** The command line withDeepThread runs (for a thread that runs it again). */
export function commandArgv(): string[] {
  return argvOfCommand;
}

/** On the main thread: have the HCL layer hand deep input over (DeepNestingError) instead of reading it. */
function handOffDeepInput(): void {
  (globalThis as Record<symbol, unknown>)[NESTING_HANDOFF] = HANDOFF_DEPTH;
}

/** Whether this thread hands deep input over (the main thread) rather than reading it. */
export function handsOffDeepInput(): boolean {
  return (globalThis as Record<symbol, unknown>)[NESTING_HANDOFF] !== undefined;
}

/** Whether `e` is the HCL layer's DeepNestingError (by its code: this module imports nothing of it). */
export function isDeepNesting(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'PACKER_TS_DEEP_NESTING';
}

/**
 * Runs `run(argv)` (a program's command line) so that deep input moves to a deep thread: on the
 * main thread the HCL layer hands it over and the same command line runs again on a thread with
 * a large stack; on that thread it is read there.
 */
export async function withDeepThread(argv: string[], run: (argv: string[]) => Promise<number>): Promise<number> {
  argvOfCommand = argv;
  const deepThread = takeDeepThreadMarker();
  if (deepThread) await receiveSignals();
  else handOffDeepInput();
  if (deepConsole) (await import('./deep-console.ts')).prepareDeepConsoleThread();
  if (deepThread) {
    // The thread ends here, with the command's exit code: a stdin the command did not read
    // to its end (console's `exit`) would keep the thread alive, even destroyed.
    const code = await run(argv);
    process.exit(code);
  }
  try {
    return await run(argv);
  } catch (e) {
    if (!isDeepNesting(e)) throw e;
    return runInDeepThread(argv);
  }
}

/** Runs `argv` again on a thread with a DEEP_STACK_MB stack; resolves to its exit code. */
async function runInDeepThread(argv: string[], script: string = process.argv[1] ?? ''): Promise<number> {
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(script, {
    argv,
    env: { ...process.env, [DEEP_THREAD_ENV]: '1', [DEEP_STDIN_ENV]: stdinMode(process.stdin), [DEEP_TTY_ENV]: JSON.stringify(terminals()) },
    execArgv: process.execArgv,
    stdin: true,
    resourceLimits: { stackSizeMb: DEEP_STACK_MB },
  });
  const stdin = process.stdin;
  stdin.pipe(worker.stdin!);
  const forward = (signal: NodeJS.Signals) => worker.postMessage({ signal });
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const resized = () => worker.postMessage({ terminals: terminals() });
  for (const out of [process.stdout, process.stderr]) if (out.isTTY) out.on('resize', resized);
  try {
    return await new Promise<number>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('exit', resolve);
    });
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
    for (const out of [process.stdout, process.stderr]) out.off('resize', resized);
    stdin.unpipe(worker.stdin!);
    stdin.destroy();
  }
}

/** In the deep thread: the signals the main thread forwards reach this thread's handlers, its terminals' sizes its streams. */
async function receiveSignals(): Promise<void> {
  const { parentPort } = await import('node:worker_threads');
  if (!parentPort) return;
  parentPort.on('message', (m: { signal?: NodeJS.Signals; terminals?: Terminals }) => {
    if (m.signal) process.emit(m.signal, m.signal);
    if (m.terminals) resizeTerminals(m.terminals);
  });
  parentPort.unref();
}
