// Deeply nested input (thousands of brackets, parentheses, objects, blocks,
// unary operators or template interpolations). The parsers, the evaluator and
// the value code recurse once per nesting level, and Node's default stack
// (about 1 MB) holds some 1,500 levels; Packer, in Go, grows its stack to 1 GB
// and reads about 30,000 levels before it crashes.
//
// Two limits:
// - NESTING_LIMIT, the deepest input read at all: the parsers stop there
//   with a "Nesting too deep" error naming the file and line. A program that
//   reads deep input runs it on a thread whose stack holds this depth through
//   every stage (the CLI: packages/cli/src/deep-thread.ts).
// - a hand-off depth, set by a program that can re-run itself on such a
//   thread (globalThis[NESTING_HANDOFF] = depth): past it, on this thread, the
//   parsers and the evaluator throw DeepNestingError instead, before any
//   stage could run out of stack, and the program re-runs the command there.
// Without a hand-off (the library on its own), input that runs out of stack
// before NESTING_LIMIT also gets the "Nesting too deep" error: the catch sites
// turn the engine's RangeError into it instead of letting "Maximum call stack
// size exceeded" escape as a crash.
import { errorDiag, type Diagnostic } from './diag.ts';
import type { Range } from './range.ts';

/** The deepest nesting read: deeper than Packer 1.6.6 reads before it crashes (about 30,000). */
export const NESTING_LIMIT = 100_000;

/** The global a program sets to the depth past which it re-runs deep input elsewhere (see above). */
export const NESTING_HANDOFF = Symbol.for('packer-ts.hcl.nesting-handoff');

/** Thrown past the hand-off depth; `code` lets a program recognise it without importing this module. */
export class DeepNestingError extends Error {
  readonly code = 'PACKER_TS_DEEP_NESTING';
  constructor(where: string) {
    super(`${where}: nested too deeply for this thread's stack`);
    this.name = 'DeepNestingError';
  }
}

/** The depth this thread's parsers stop at: the program's hand-off depth, else NESTING_LIMIT. */
export function nestingLimit(): number {
  const h = (globalThis as Record<symbol, unknown>)[NESTING_HANDOFF];
  return typeof h === 'number' && h > 0 && h < NESTING_LIMIT ? h : NESTING_LIMIT;
}

/** Thrown by a parser at its nesting limit; the catch sites treat it as a stack overflow. */
export class NestingLimitReached extends Error {
  constructor() {
    super('nesting limit reached');
  }
}

/** Whether `e` is the engine's stack overflow, or a parser's nesting limit. */
export function isStackOverflow(e: unknown): boolean {
  return e instanceof NestingLimitReached || (e instanceof RangeError && /call stack/i.test(e.message));
}

/**
 * At a catch site of isStackOverflow: throws DeepNestingError when the
 * program re-runs deep input elsewhere (a hand-off depth is set), so that it
 * does; else returns and the caller reports tooDeepDiag.
 */
export function handOffDeepNesting(subject: Range): void {
  if (nestingLimit() < NESTING_LIMIT) throw new DeepNestingError(`${subject.filename}:${subject.start.line}`);
}

/** The diagnostic for a parse or evaluation that ran out of stack, or reached NESTING_LIMIT, at `subject`. */
export function tooDeepDiag(what: 'parse' | 'evaluate', subject: Range): Diagnostic {
  return errorDiag(
    'Nesting too deep',
    what === 'parse'
      ? 'This configuration nests brackets, braces, parentheses, blocks, operators or template interpolations more deeply than packer-ts can parse. Reduce the nesting.'
      : 'This expression nests values or operations more deeply than packer-ts can evaluate. Reduce the nesting.',
    subject,
  );
}
