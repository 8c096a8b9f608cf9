/** `packer-ts validate`: parses the template and prepares every build (command/validate.go). */
import { errorMessage } from '@packer-ts/sdk';
import { isHcl2Path } from '@packer-ts/core';
import { FlagSet } from '../flags.ts';
import { diagnostic, MetaArgs, type Meta, parseFlags } from '../meta.ts';
import { loadCore, readConfig } from '../json-template.ts';

export const validateHelp = `Usage: packer validate [options] TEMPLATE

  Checks the template is valid by parsing the template and also
  checking the configuration with the various builders, provisioners, etc.

  If it is not valid, the errors will be shown and the command will exit
  with a non-zero exit status. If it is valid, it will exit with a zero
  exit status.

Options:

  -syntax-only           Only check syntax. Do not verify config of the template.
  -except=foo,bar,baz    Validate all builds other than these.
  -only=foo,bar,baz      Validate only these builds.
  -var 'key=value'       Variable for templates, can be used multiple times.
  -var-file=path         JSON or HCL2 file containing user variables. [ Note that even in HCL mode this expects file to contain JSON, a fix is comming soon ]`;

export async function validateCommand(meta: Meta, argv: string[]): Promise<number> {
  const args = new MetaArgs();
  let syntaxOnly = false;
  const flags = new FlagSet();
  args.addVarFlags(flags);
  args.addFilterFlags(flags);
  args.addSequentialFlag(flags);
  args.addPrereleaseFlag(flags);
  flags.bool('syntax-only', (v) => { syntaxOnly = v; });
  // Packer 1.16's: run the datasources of an HCL2 template too (not in 1.6.6's help text)
  let evaluateDatasources = false;
  flags.bool('evaluate-datasources', (v) => { evaluateDatasources = v; });
  // Packer 1.16's: no warnings about a var file's undeclared variables
  let noWarnUndeclaredVar = false;
  flags.bool('no-warn-undeclared-var', (v) => { noWarnUndeclaredVar = v; });
  const stop = parseFlags(meta, flags, argv, validateHelp);
  if (stop !== undefined) return stop;
  args.path = flags.args[0]!;
  if (isHcl2Path(args.path)) return (await import('../hcl2.ts')).validateHcl2(meta, args, syntaxOnly, evaluateDatasources, noWarnUndeclaredVar);
  if (syntaxOnly) {
    // Packer reads the template and the variables before it looks at -syntax-only
    if (!(await readConfig(meta, args))) return 1;
    meta.ui.say('Syntax-only check passed. Everything looks okay.');
    return 0;
  }
  const loaded = await loadCore(meta, args);
  if (!loaded) return 1;
  const { core } = loaded;
  let errors = '';
  let warnings = '';
  for (const name of core.buildNames(args.only, args.except)) {
    try {
      const b = await core.build(name);
      try {
        for (const w of await b.prepare()) warnings += diagnostic('Warning', `Warning when preparing build: "${name}"`, w);
      } catch (e) {
        errors += diagnostic('Error', `Failed to prepare build: "${name}"`, errorMessage(e));
      }
    } catch (e) {
      errors += diagnostic('Error', `Failed to initialize build "${name}"`, errorMessage(e));
    }
  }
  if (errors) {
    meta.ui.error(errors + warnings);
    return 1;
  }
  if (warnings) meta.ui.say(warnings);
  return 0;
}
