/**
 * `inspect` on an HCL2 template (PackerConfig.InspectConfig): the input
 * and local variables with their values, then each build's sources,
 * provisioners and post-processors.
 */
import { cty } from '@packer-ts/hcl';
import { goQuote } from '@packer-ts/sdk';
import type { PackerConfig } from './config.ts';

/** `> input-variables:` and `> local-variables:` with each value as the console prints it. */
export function printVariables(cfg: PackerConfig): string {
  let out = '> input-variables:\n\n';
  const vars = cfg.evaluated?.variables ?? new Map();
  for (const name of [...vars.keys()].sort()) {
    out += `var.${name}: ${goQuote(cty.printableValue(vars.get(name)!.value))}\n`;
  }
  out += '\n> local-variables:\n\n';
  const locals = cfg.evaluated?.locals ?? new Map();
  for (const name of [...locals.keys()].sort()) {
    out += `local.${name}: ${goQuote(cty.printableValue(locals.get(name)!.value))}\n`;
  }
  return out;
}

/** `> builds:` as Packer 1.6.6 lists them. */
export function printBuilds(cfg: PackerConfig): string {
  let out = '> builds:\n';
  cfg.builds.forEach((build, i) => {
    const name = build.name !== '' ? build.name : `<unnamed build ${i}>`;
    out += `\n  > ${name}:\n`;
    if (build.description !== '') out += `\n  > Description: ${build.description}\n`;
    out += '\n    sources:\n';
    if (build.sources.length === 0) out += '\n      <no source>\n';
    // SourceRef's String(): TYPE.NAME of the referenced source
    for (const s of build.sources) out += `\n      ${s.type}.${s.name}\n`;
    out += '\n    provisioners:\n\n';
    if (build.provisioners.length === 0) out += '      <no provisioner>\n';
    for (const p of build.provisioners) out += `      ${p.name !== '' ? `${p.type}.${p.name}` : p.type}\n`;
    out += '\n    post-processors:\n';
    if (build.postProcessors.length === 0) out += '\n      <no post-processor>\n';
    build.postProcessors.forEach((list, j) => {
      out += `\n      ${j}:\n`;
      for (const pp of list) out += `        ${pp.name !== '' ? `${pp.type}.${pp.name}` : pp.type}\n`;
    });
  });
  return out;
}
