/** `packer-ts inspect`: lists what a template defines (packer/core.go InspectConfig). */
import { isHcl2Path } from '@packer-ts/core';
import { FlagSet } from '../flags.ts';
import { MetaArgs, parseFlags, type Meta } from '../meta.ts';
import { readConfig } from '../json-template.ts';

export const inspectHelp = `Usage: packer inspect TEMPLATE

  Inspects a template, parsing and outputting the components a template
  defines. This does not validate the contents of a template (other than
  basic syntax by necessity).

Options:

  -machine-readable  Machine-readable output`;

/**
 * Packer's MetaArgs flags are accepted: the variables are read (a bad
 * -var-file fails) but not used, -only/-except change nothing; not exactly
 * one argument means no template (the tiniest one is shown).
 */
export async function inspectCommand(meta: Meta, argv: string[]): Promise<number> {
  const args = new MetaArgs();
  const flags = new FlagSet();
  args.addVarFlags(flags);
  args.addFilterFlags(flags);
  args.addSequentialFlag(flags);
  const stop = parseFlags(meta, flags, argv, inspectHelp, 0, Infinity);
  if (stop !== undefined) return stop;
  if (flags.args.length === 1) args.path = flags.args[0]!;
  if (isHcl2Path(args.path)) return (await import('../hcl2.ts')).inspectHcl2(meta, args);
  const config = await readConfig(meta, args);
  if (!config) return 1;
  const tpl = config.template;
  const ui = meta.ui;
  ui.say('Packer Inspect: JSON mode');
  if (tpl.description !== '') {
    ui.say('Description:\n');
    ui.say(tpl.description + '\n');
  }
  const shown = (name: string, value: string) => (tpl.sensitiveVariables.includes(name) ? '<sensitive>' : value);
  if (tpl.variables.size === 0) {
    ui.say('Variables:\n');
    ui.say('  <No variables>');
  } else {
    const keys = [...tpl.variables.keys()].sort();
    const required = keys.filter((k) => tpl.variables.get(k)!.required);
    if (required.length > 0) {
      ui.say('Required variables:\n');
      for (const k of required) {
        ui.machine('template-variable', k, shown(k, tpl.variables.get(k)!.default), '1');
        ui.say('  ' + k);
      }
      ui.say('');
    }
    ui.say('Optional variables and their defaults:\n');
    const max = Math.max(...keys.map((k) => k.length));
    for (const k of keys) {
      const v = tpl.variables.get(k)!;
      if (v.required) continue;
      ui.machine('template-variable', k, shown(k, v.default), '0');
      ui.say(`  ${k}${' '.repeat(max - k.length)} = ${shown(k, v.default)}`);
    }
  }
  ui.say('');
  ui.say('Builders:\n');
  if (tpl.builders.size === 0) ui.say('  <No builders>');
  else {
    const keys = [...tpl.builders.keys()].sort();
    const max = Math.max(...keys.map((k) => k.length));
    for (const k of keys) {
      const b = tpl.builders.get(k)!;
      let out = `  ${k}${' '.repeat(max - k.length)}`;
      if (b.name !== b.type) out = `${out} (${b.type})`;
      ui.machine('template-builder', k, b.type);
      ui.say(out);
    }
  }
  ui.say('');
  ui.say('Provisioners:\n');
  if (tpl.provisioners.length === 0) ui.say('  <No provisioners>');
  else for (const p of tpl.provisioners) {
    ui.machine('template-provisioner', p.type);
    ui.say(`  ${p.type}`);
  }
  ui.say("\nNote: If your build names contain user variables or template\nfunctions such as 'timestamp', these are processed at build time,\nand therefore only show in their raw form here.");
  return 0;
}
