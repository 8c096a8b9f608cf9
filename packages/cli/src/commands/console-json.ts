/**
 * `packer-ts console` on a JSON template, or with none (command/console.go,
 * Core.EvaluateExpression): each line is rendered as an interpolation in the
 * template's context. console.ts reads the lines and loads this module only
 * for JSON mode.
 */
import { errorMessage, renderRepeated, wordWrap } from '@packer-ts/sdk';
import { Core } from '@packer-ts/core';
import type { Meta, MetaArgs } from '../meta.ts';
import { readConfig } from '../json-template.ts';
import type { Evaluation, Session } from './console.ts';

/** What `help` prints. */
export const CONSOLE_HELP = `Packer console JSON Mode.
The Packer console allows you to experiment with Packer interpolations.
You may access variables in the Packer config you called the console with.

Type in the interpolation to test and hit <enter> to see the result.

"variables" will dump all available variables and their values.

"{{timestamp}}" will output the timestamp, for example "1559855090".

To exit the console, type "exit" and hit <enter>, or use Control-C.

/!\\ If you would like to start console in hcl2 mode without a config you can
use the --config-type=hcl2 option.`;

/** Errors of the variable-rendering phase (after validation passed). */
const RENDER_PHASE = /^(Failed to interpolate|error interpolating default value|Error interpolating builder)/;

/** The diagnostic Packer prints for an interpolation error (its severity is unset, hence the marks). */
export function interpolationDiagnostic(detail: string): string {
  return `???????: Interpolation error\n\n${wordWrap(detail, 80)}\n\n`;
}

class Console implements Session {
  constructor(private core: Core, private listEmptyKey: boolean) {}

  evaluate(line: string): Evaluation {
    if (line === '') return { out: '', exit: false };
    if (line === 'exit') return { out: '', exit: true };
    if (line === 'help') return { out: CONSOLE_HELP, exit: false };
    if (line === 'variables') {
      const vars = { ...this.core.variables };
      // Packer's variable rendering also leaves an empty-named variable behind.
      if (this.listEmptyKey && !Object.hasOwn(vars, '')) vars[''] = '';
      const keys = Object.keys(vars).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      return { out: '\n' + keys.map((k) => `${k}: ${vars[k]},\n`).join(''), exit: false };
    }
    try {
      return { out: renderRepeated(line, this.core.context()), exit: false };
    } catch (e) {
      // printed as a diagnostic without severity: the exit status stays 0
      return { out: '', exit: false, report: { text: interpolationDiagnostic(errorMessage(e)), error: false } };
    }
  }
}

/** The session for a JSON template (or none); undefined when it cannot be read (reported). */
export async function jsonConsole(meta: Meta, args: MetaArgs): Promise<Session | undefined> {
  const config = await readConfig(meta, args);
  if (!config) return undefined;
  const { template, variables } = config;
  const core = new Core({ template, components: await meta.components(), variables });
  // As in Packer, a template that fails to initialize still gets a console.
  let renderStarted = true;
  try {
    core.initialize();
  } catch (e) {
    renderStarted = RENDER_PHASE.test(errorMessage(e));
  }
  const hasVariables = template.variables.size + Object.keys(variables).length > 0;
  return new Console(core, renderStarted && hasVariables);
}
