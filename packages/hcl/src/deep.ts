// Input nested deeper than the JavaScript stack allows (thousands of brackets,
// parentheses, objects or interpolations). The parsers and the evaluator
// recurse once per nesting level; when the engine's stack runs out they turn
// the RangeError into an error diagnostic naming the file and line, instead of
// letting "Maximum call stack size exceeded" escape as a crash.
import { errorDiag, type Diagnostic } from './diag.ts';
import type { Range } from './range.ts';

/** Whether `e` is the engine's stack-overflow error. */
export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

/** The diagnostic for a parse or evaluation that ran out of stack at `subject`. */
export function tooDeepDiag(what: 'parse' | 'evaluate', subject: Range): Diagnostic {
  return errorDiag(
    'Nesting too deep',
    what === 'parse'
      ? 'This configuration nests brackets, braces, parentheses or template interpolations more deeply than packer-ts can parse. Reduce the nesting.'
      : 'This expression nests values or operations more deeply than packer-ts can evaluate. Reduce the nesting.',
    subject,
  );
}
