/**
 * `packer-ts console` on an HCL2 template, or with no template in HCL2
 * mode (PackerConfig.EvaluateExpression): each line is an HCL expression
 * evaluated with the template's variables, locals, path.*, and Packer's
 * functions, printed as Packer's console prints values. Diagnostics are
 * printed without source (Packer passes no files).
 */
import { handsOffDeepInput, isDeepNesting } from '../deep-thread.ts';
import { evaluateDeepLine } from '../deep-console.ts';
import { cty, exprValue, exprVariables, formatDiagnostics, hasErrors, isStackOverflow, parseExpression, tooDeepDiag, type Diagnostic, type Expression } from '@packer-ts/hcl';
import type { PackerConfig } from '@packer-ts/core/hcl2';
import { printVariables } from '@packer-ts/core/hcl2';
import { DIAGNOSTIC_WIDTH } from '../meta.ts';
import type { Evaluation } from './console.ts';

/** What `help` prints in HCL2 mode. */
export const HCL2_CONSOLE_HELP = `Packer console HCL2 Mode.
The Packer console allows you to experiment with Packer interpolations.
You may access variables and functions in the Packer config you called the
console with.

Type in the interpolation to test and hit <enter> to see the result.

"upper(var.foo.id)" would evaluate to the ID of "foo" and uppercase is, if it
exists in your config file.

"variables" will dump all available variables and their values.

To exit the console, type "exit" and hit <enter>, or use Control-C.

/!\\ It is not possible to use go templating interpolation like "{{timestamp}}"
with in HCL2 mode.`;

function report(diags: readonly Diagnostic[]): Evaluation['report'] {
  if (diags.length === 0) return undefined;
  const text = formatDiagnostics(diags, new Map(), { width: DIAGNOSTIC_WIDTH });
  if (text === '') return undefined;
  return { text, error: hasErrors(diags) };
}

/**
 * The locals `expr` names (`local.NAME`), or undefined where it reads `local` some other way (the
 * whole object, an index, a splat): then every local is needed.
 */
function localsNamed(expr: Expression): string[] | undefined {
  const names: string[] = [];
  for (const t of exprVariables(expr)) {
    const root = t[0]!;
    if (root.kind !== 'root' || root.name !== 'local') continue;
    const step = t[1];
    if (step === undefined || step.kind !== 'attr') return undefined;
    names.push(step.name);
  }
  return names;
}

const CONSOLE_INPUT = { filename: '<console-input>', start: { byte: 0, line: 1, column: 1 }, end: { byte: 0, line: 1, column: 1 } };

export class Hcl2Console {
  constructor(private readonly cfg: PackerConfig) {}

  /** A line nested past this thread's stack is evaluated on a deep-stack thread (deep-console.ts). */
  evaluate(line: string): Evaluation | Promise<Evaluation> {
    try {
      return this.evaluateHere(line);
    } catch (e) {
      if (isDeepNesting(e) || (isStackOverflow(e) && handsOffDeepInput())) return evaluateDeepLine(line);
      if (!isStackOverflow(e)) throw e;
      // a value too deep to print, even on the deep thread
      return { out: '', exit: false, report: report([tooDeepDiag('evaluate', CONSOLE_INPUT)]) };
    }
  }

  private evaluateHere(line: string): Evaluation {
    if (line === '') return { out: '', exit: false };
    if (line === 'exit') return { out: '', exit: true };
    if (line === 'help') return { out: HCL2_CONSOLE_HELP, exit: false };
    if (line === 'variables') {
      this.cfg.ensureLocals();
      return { out: printVariables(this.cfg), exit: false };
    }
    const diags: Diagnostic[] = [];
    const p = parseExpression(line, CONSOLE_INPUT.filename, CONSOLE_INPUT.start);
    diags.push(...p.diags);
    if (hasErrors(p.diags)) return { out: '', exit: false, report: report(diags) };
    this.cfg.ensureLocals(localsNamed(p.expr));
    const v = exprValue(p.expr, this.cfg.evalContext());
    diags.push(...v.diags);
    if (hasErrors(v.diags)) return { out: '', exit: false, report: report(diags) };
    return { out: cty.printableValue(v.value), exit: false, report: report(diags) };
  }
}
