/**
 * `packer-ts fix`: rewrites a JSON template written for older Packer
 * versions, prints it, and checks the result (command/fix.go).
 */
import { readFileSync } from 'node:fs';
import { errorMessage, fileError } from '@packer-ts/sdk';
import { parseTemplate, validateTemplateStructure } from '@packer-ts/core';
import { FlagSet } from '../flags.ts';
import { MetaArgs, type Meta, parseFlags } from '../meta.ts';
import { FIXERS } from '../fixers/index.ts';
import { decodeTemplateMap, encodeFixed, GoJsonError } from '../fixers/gojson.ts';
import type { Obj } from '../fixers/decode.ts';

export const fixHelp = `Usage: packer fix [options] TEMPLATE

  Reads the JSON template and attempts to fix known backwards
  incompatibilities. The fixed template will be outputted to standard out.

  If the template cannot be fixed due to an error, the command will exit
  with a non-zero exit status. Error messages will appear on standard error.

Fixes that are run (in order):

${FIXERS.map((f) => `  ${f.name.padEnd(27)}${f.synopsis}`).join('\n')}

Options:

  -validate=true      If true (default), validates the fixed template.`;

const ADVICE = '\n\nThis is usually caused by an error in the input template.\nPlease fix the error and try again.';

/** The template's bytes: Go's decoder reads them, bytes that are not UTF-8 included. */
function readTemplate(path: string): { text?: Buffer; error?: string } {
  try {
    return { text: readFileSync(path) };
  } catch (e) {
    // Go's os.Open fails "opening", a read of what it opened (a directory) fails "parsing"
    const what = (e as NodeJS.ErrnoException).syscall === 'read' ? 'parsing' : 'opening';
    return { error: `Error ${what} template: ${fileError(e, path).message}` };
  }
}

export async function fixCommand(meta: Meta, argv: string[]): Promise<number> {
  let validate = true;
  const flags = new FlagSet();
  flags.bool('validate', (v) => { validate = v; });
  // Accepted and ignored, as in Packer.
  const ignored = new MetaArgs();
  ignored.addVarFlags(flags);
  ignored.addFilterFlags(flags);
  flags.value('config-type', (v) => {
    if (v !== 'json' && v !== 'hcl2') throw new Error(`${v} does not belong to configType values`);
  });
  const stop = parseFlags(meta, flags, argv, fixHelp);
  if (stop !== undefined) return stop;
  const path = flags.args[0]!;
  const { text, error } = readTemplate(path);
  if (text === undefined) {
    meta.ui.error(error!);
    return 1;
  }
  let input: Obj;
  try {
    input = decodeTemplateMap(text);
  } catch (e) {
    if (!(e instanceof GoJsonError)) throw e;
    meta.ui.error(`Error parsing template: ${e.message}`);
    return 1;
  }
  for (const fixer of FIXERS) {
    try {
      input = fixer.fix(input);
    } catch (e) {
      meta.ui.error(`Error fixing: ${errorMessage(e)}`);
      return 1;
    }
  }
  const result = encodeFixed(input);
  meta.ui.say(result);
  if (!validate) return 0;

  let tpl;
  try {
    tpl = parseTemplate(result);
  } catch (e) {
    // Reading from memory, Packer reports JSON errors without the file excerpt.
    let msg = errorMessage(e);
    if (msg.startsWith('Error parsing JSON: ')) msg = msg.slice('Error parsing JSON: '.length).split('\n')[0]!;
    meta.ui.error(`Error! Fixed template fails to parse: ${msg}${ADVICE}`);
    return 1;
  }
  try {
    validateTemplateStructure(tpl);
  } catch (e) {
    meta.ui.error(`Error! Fixed template failed to validate: ${errorMessage(e)}${ADVICE}`);
    return 1;
  }
  return 0;
}
