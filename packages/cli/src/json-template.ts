/**
 * A JSON template and its core, as Packer's commands read them (GetConfigFromJSON, then the
 * core's Initialize). Its own module, so that a program that meets only HCL2 templates (the
 * console's, dist/console.cjs) does not evaluate the JSON core.
 */
import { errorMessage } from '@packer-ts/sdk';
import { Core, parseTemplate, parseTemplateFile, type Template } from '@packer-ts/core';
import { diagnostic, statTemplatePath, type Meta, type MetaArgs } from './meta.ts';

/** The template Packer uses when a command is given none (console, inspect). */
const TINIEST_TEMPLATE = '{\n\t"builders": [\n\t\t{\n\t\t\t"type":"null",\n\t\t\t"communicator": "none"\n\t\t}\n\t]\n}';

/** Reads the template (the tiniest one for an empty path); reports a failure on the Ui and returns undefined. */
export async function readTemplate(meta: Meta, path: string): Promise<Template | undefined> {
  if (path !== '' && path !== '-') {
    const st = statTemplatePath(path);
    if (st.error !== undefined) {
      meta.ui.error(st.error);
      return undefined;
    }
  }
  try {
    return path === '' ? parseTemplate(TINIEST_TEMPLATE, '') : await parseTemplateFile(path);
  } catch (e) {
    meta.ui.error(`Failed to parse template: ${errorMessage(e)}`);
    return undefined;
  }
}

/**
 * What Packer's GetConfigFromJSON does: reads the template, then the
 * variables (-var-file files, -var); reports a failure on the Ui and
 * returns undefined.
 */
export async function readConfig(meta: Meta, args: MetaArgs): Promise<{ template: Template; variables: Record<string, string> } | undefined> {
  const template = await readTemplate(meta, args.path);
  if (!template) return undefined;
  try {
    return { template, variables: args.variables() };
  } catch (e) {
    meta.ui.error(errorMessage(e));
    return undefined;
  }
}

/** Reads the template and sets up an initialized core; reports errors on the Ui and returns undefined. */
export async function loadCore(meta: Meta, args: MetaArgs): Promise<{ core: Core; template: Template } | undefined> {
  const config = await readConfig(meta, args);
  if (!config) return undefined;
  const { template, variables } = config;
  const core = new Core({ template, components: await meta.components({ releasesOnly: args.releasesOnly }), variables });
  try {
    core.initialize();
  } catch (e) {
    meta.ui.error(diagnostic('Error', '', errorMessage(e)));
    return undefined;
  }
  return { core, template };
}

