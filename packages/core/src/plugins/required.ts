/**
 * `packer { required_plugins { NAME = { source = "HOST/NAMESPACE/NAME", version = "CONSTRAINT" } } }`
 * as Packer 1.16 reads it (hcl2template/types.required_plugins.go, plugin.go): every entry
 * validated with Packer's diagnostics, the accessors unique across blocks and files, and for a
 * build the highest installed version matching each constraint selected (plugins that are not
 * installed give one "Missing plugins" diagnostic that says to run `packer-ts init`).
 *
 * Public API
 *   decodeRequiredPlugins(bodies)           requirements of parsed files/bodies, with diagnostics
 *   readRequiredPlugins(path)               the same for a file or directory (*.pkr.hcl, *.pkr.json)
 *   selectRequiredPlugins(reqs, {dir})      the installation each requirement uses
 *   requiredPluginRefs(selected, dir)       their components, named after the accessors
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { errorDiag, exprRange, exprValue, rangeString, type Body, type Diagnostic, type File, type Range } from '@packer-ts/hcl';
import { parseConstraints, type Constraints } from './goversion.ts';
import { multiPluginRefs, type PluginRef } from './discovery.ts';
import { listInstallations, parsePluginSource, pluginPartError, type Installation, type PluginSource } from './installed.ts';
import { parseHcl2Source } from '../hcl2/files.ts';

export interface RequiredPlugin {
  /** The accessor: the name on the left of `=`, the prefix of the plugin's component names. */
  name: string;
  source: PluginSource;
  /** The constraint as written (go-version prints it back as given). */
  versionText: string;
  constraints: Constraints;
  /** The entry's value expression. */
  range: Range;
}

/** The top-level blocks of an HCL2 template (hcl2template's configSchema). */
const CONFIG_SCHEMA = {
  blocks: [
    { type: 'packer' }, { type: 'source', labelNames: ['type', 'name'] }, { type: 'variables' }, { type: 'variable', labelNames: ['name'] },
    { type: 'locals' }, { type: 'local', labelNames: ['name'] }, { type: 'data', labelNames: ['type', 'name'] }, { type: 'build' },
    { type: 'hcp_packer_registry' }, { type: 'communicator', labelNames: ['type', 'name'] },
  ],
};

const DOCS = 'https://www.packer.io/docs/templates/hcl_templates/blocks/packer';

/** The requirements of the `packer` blocks of `bodies` (parsed files or their bodies), in source order. */
export function decodeRequiredPlugins(bodies: ReadonlyArray<File | Body>): { requirements: RequiredPlugin[]; diags: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  const requirements: RequiredPlugin[] = [];
  const seen = new Map<string, RequiredPlugin>();
  for (const item of bodies) {
    const body = 'body' in item ? item.body : item;
    const root = body.partialContent({ blocks: [{ type: 'packer' }] }).content;
    for (const packer of root.blocks) {
      const { content, diags: d } = packer.body.content({ attributes: [{ name: 'required_version' }], blocks: [{ type: 'required_plugins' }] });
      diags.push(...d);
      for (const block of content.blocks) {
        for (const req of decodeBlock(block.body, diags)) {
          const prev = seen.get(req.name);
          if (prev) {
            diags.push({
              severity: 'error', summary: `Duplicate required_plugin.${JSON.stringify(req.name)} block`,
              detail: `Block previously seen at ${rangeString(prev.range)} is already named ${JSON.stringify(req.name)}.\n`
                + 'Names at the left hand side of required_plugins are made available to use in your HCL2 configurations.\n'
                + 'To allow to calling to their features correctly two plugins have to have different accessors.',
              context: req.range,
            });
            continue;
          }
          seen.set(req.name, req);
          requirements.push(req);
        }
      }
    }
  }
  return { requirements, diags };
}

function decodeBlock(body: Body, diags: Diagnostic[]): RequiredPlugin[] {
  const { attributes, diags: d } = body.justAttributes();
  diags.push(...d);
  const out: RequiredPlugin[] = [];
  for (const attr of attributes.values()) {
    const { value, diags: vd } = exprValue(attr.expr, undefined);
    diags.push(...vd);
    const subject = exprRange(attr.expr);
    const partError = pluginPartError(attr.name);
    if (partError) {
      diags.push(errorDiag('Invalid plugin local name', `${attr.name} is an invalid plugin local name: ${partError}`, subject));
    } else if (attr.name.toLowerCase() !== attr.name) {
      diags.push(errorDiag('Invalid plugin local name', `Plugin names must be normalized. Replace ${JSON.stringify(attr.name)} with ${JSON.stringify(attr.name.toLowerCase())} to fix this error.`, subject));
    }
    const t = value.type;
    if (t.kind === 'string' || t.kind === 'number' || t.kind === 'bool') {
      let c = 'version';
      if (t.kind === 'string' && value.isKnown() && !value.isNull()) {
        try { parseConstraints(value.asString()); c = value.asString(); } catch { /* keep "version" */ }
      }
      diags.push(errorDiag('Invalid plugin requirement', `'${attr.name} = "${c}"' plugin requirement calls are not possible. You must define a whole block. For example:\n`
        + `${attr.name} = {\n  source  = "github.com/hashicorp/${attr.name}"\n  version = "${c}"\n}`, attr.range));
      continue;
    }
    if (t.kind !== 'object') {
      diags.push(errorDiag('Invalid required_plugins syntax', 'required_plugins entries must be objects.', subject));
      continue;
    }
    const names = Object.keys(t.attrs);
    if (!names.includes('version')) {
      diags.push(errorDiag('No version constraint was set', `The version field must be specified as a string. Ex: \`version = ">= 1.2.0, < 2.0.0". See ${DOCS}#version-constraints for docs`, subject));
      continue;
    }
    const version = value.getAttr('version');
    if (version.type.kind !== 'string' || version.isNull() || !version.isKnown()) {
      diags.push(errorDiag('Invalid version constraint', `Version must be specified as a string. See ${DOCS}#version-constraint-syntax for docs.`, subject));
      continue;
    }
    const versionText = version.asString();
    let constraints: Constraints;
    try {
      constraints = parseConstraints(versionText);
    } catch (e) {
      diags.push(errorDiag('Invalid version constraint', `This string does not use correct version constraint syntax. See ${DOCS}#version-constraint-syntax for docs.\n${(e as Error).message}`, subject));
      continue;
    }
    if (constraints.some((c) => c.version.prerelease !== '')) {
      diags.push(errorDiag('Invalid version constraint', `Unsupported prerelease for constraint ${JSON.stringify(versionText)}`, subject));
    }
    if (!names.includes('source')) {
      diags.push(errorDiag('No source was set', `The source field must be specified as a string. Ex: \`source = "coolcloud". See ${DOCS}#specifying-plugin-requirements for docs`, subject));
      continue;
    }
    const src = value.getAttr('source');
    if (src.type.kind !== 'string' || src.isNull() || !src.isKnown()) {
      diags.push(errorDiag('Invalid source', 'Source must be specified as a string. For example: source = "coolcloud"', subject));
      continue;
    }
    let source: PluginSource;
    try {
      source = parsePluginSource(src.asString());
    } catch (e) {
      diags.push(errorDiag('Failed to parse source', (e as Error).message, attr.range));
      continue;
    }
    if (names.some((n) => n !== 'version' && n !== 'source')) {
      diags.push(errorDiag('Invalid required_plugins object', 'required_plugins objects can only contain "version" and "source" attributes.', subject));
    }
    out.push({ name: attr.name, source, versionText, constraints, range: subject });
  }
  return out;
}

/** The HCL2 files of a path as Packer lists them: a file, or a directory's *.pkr.hcl then *.pkr.json. */
export function hcl2FilesOf(path: string): { files: string[]; diags: Diagnostic[] } {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    return { files: [], diags: [{ severity: 'error', summary: `${JSON.stringify(path)}: stat ${path}: ${why}` }] };
  }
  if (!st.isDirectory()) return { files: path.endsWith('.pkr.hcl') || path.endsWith('.pkr.json') ? [path] : [], diags: [] };
  const names = readdirSync(path).sort();
  const hcl = names.filter((n) => n.endsWith('.pkr.hcl')).map((n) => join(path, n));
  const json = names.filter((n) => n.endsWith('.pkr.json')).map((n) => join(path, n));
  return { files: [...hcl, ...json], diags: [] };
}

/**
 * Reads `path` (a *.pkr.hcl/*.pkr.json file or a directory of them) and decodes its
 * requirements. `files` maps each file name to its parse (for printing diagnostics).
 */
export function readRequiredPlugins(path: string): { requirements: RequiredPlugin[]; diags: Diagnostic[]; files: Map<string, File> } {
  const files = new Map<string, File>();
  const { files: names, diags } = hcl2FilesOf(path);
  if (diags.length > 0) return { requirements: [], diags, files };
  if (names.length === 0) {
    return { requirements: [], diags: [{ severity: 'error', summary: `Could not find any config file in ${path}`, detail: 'A config file must be suffixed with `.pkr.hcl` or `.pkr.json`. A folder can be referenced.' }], files };
  }
  for (const name of names) {
    let src: Buffer;
    try {
      src = readFileSync(name);
    } catch {
      diags.push({ severity: 'error', summary: 'Failed to read file', detail: `The configuration file ${JSON.stringify(name)} could not be read.` });
      continue;
    }
    const { file, diags: pd } = parseHcl2Source(src, name, name.endsWith('.json') ? 'json' : 'native');
    files.set(name, file);
    diags.push(...pd);
  }
  if (diags.some((d) => d.severity === 'error')) return { requirements: [], diags, files };
  // unknown top-level blocks and arguments, as Packer's Parse reports them first
  for (const file of files.values()) diags.push(...file.body.content(CONFIG_SCHEMA).diags);
  const decoded = decodeRequiredPlugins([...files.values()]);
  return { requirements: decoded.requirements, diags: [...diags, ...decoded.diags], files };
}

export interface Selection {
  requirement: RequiredPlugin;
  installation: Installation;
}

/**
 * The installation each requirement uses: the highest installed version in `dir` matching its
 * constraint (API version checked). Requirements with none give one "Missing plugins" error.
 */
export function selectRequiredPlugins(requirements: readonly RequiredPlugin[], o: { dir: string; releasesOnly?: boolean; log?: (line: string) => void }): { selected: Selection[]; diags: Diagnostic[] } {
  const selected: Selection[] = [];
  const missing: string[] = [];
  for (const requirement of requirements) {
    const installs = listInstallations({ dir: o.dir, source: requirement.source, constraints: requirement.constraints, checkApi: true, releasesOnly: o.releasesOnly, log: o.log });
    const installation = installs[installs.length - 1];
    if (!installation) {
      missing.push(`* ${requirement.source.source} ${requirement.versionText}\n`);
      continue;
    }
    o.log?.(`[TRACE] Found the following ${JSON.stringify(requirement.source.source)} installations: ${installs.map((i) => i.binaryPath).join(' ')}`);
    selected.push({ requirement, installation });
  }
  const diags: Diagnostic[] = [];
  if (missing.length > 0) {
    diags.push({
      severity: 'error', summary: 'Missing plugins',
      detail: `The following plugins are required, but not installed:\n\n${missing.join('')}\nDid you run packer-ts init for this project ?`,
    });
  }
  return { selected, diags };
}

/** The components of the selected plugins, named after their accessors (`ACCESSOR-COMPONENT`, default `ACCESSOR`). */
export function requiredPluginRefs(selected: readonly Selection[], dir: string): PluginRef[] {
  return selected.flatMap((s) => multiPluginRefs(s.requirement.name, s.installation.binaryPath, s.installation.description, dir));
}

/** Whether a constraint text names a pre-release (`plugins install SOURCE CONSTRAINT` refuses those). */
export function hasPrerelease(constraints: Constraints): boolean {
  return constraints.some((c) => c.version.prerelease !== '');
}

