/**
 * What `init` and `plugins required` read: the `required_plugins` of a template path, with
 * Packer 1.16's errors for a missing path, a JSON template and HCL diagnostics.
 */
import { statSync } from 'node:fs';
import { readRequiredPlugins, type RequiredPlugin } from '@packer-ts/core/plugins-install';
import { formatDiagnostics, hasErrors } from '@packer-ts/hcl';
import { pathError } from '@packer-ts/sdk';
import { diagnostic, DIAGNOSTIC_WIDTH, type Meta } from '../meta.ts';

/** The requirements of `path`, or the exit code after the errors were printed. */
export function loadRequirements(meta: Meta, path: string): RequiredPlugin[] | number {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    // a *.pkr.hcl / *.pkr.json name is read as HCL2 first, which reports the stat as a diagnostic
    const why = pathError('stat', path, e).message;
    meta.ui.error(isHcl2Name(path) ? diagnostic('Error', '', why) : `${JSON.stringify(path)}: ${why}`);
    return 1;
  }
  if (!st.isDirectory() && !isHcl2Name(path)) {
    meta.ui.error(diagnostic('Error', 'Packer plugins currently only works with HCL2 configuration templates',
      'Please manually install plugins with the plugins command or use a HCL2 configuration that will do that for you.'));
    return 1;
  }
  const { requirements, diags, files } = readRequiredPlugins(path);
  const text = formatDiagnostics(diags, files, { width: DIAGNOSTIC_WIDTH });
  if (text !== '') {
    if (hasErrors(diags)) { meta.ui.error(text); return 1; }
    meta.ui.say(text);
  }
  return requirements;
}

const isHcl2Name = (p: string): boolean => p.endsWith('.pkr.hcl') || p.endsWith('.pkr.json');

export const NO_REQUIREMENTS = `
No plugins requirement found, make sure you reference a Packer config
containing a packer.required_plugins block. See
https://www.packer.io/docs/templates/hcl_templates/blocks/packer
for more info.`;
