/**
 * What every command shares: the Ui, variables from -var/-var-file, the
 * template and the core.
 */
import { readFileSync } from 'node:fs';
import { errorMessage, type Ui } from '@packer-ts/sdk';
import {
  BasicUi, Core, MachineReadableUi, jsonKind, parseTemplateFile, log, scanJson,
  type ComponentFinder, type Template, type TextSink,
} from '@packer-ts/core';
import { FlagError, FlagSet, splitList } from './flags.ts';

export interface Io {
  stdout: TextSink;
  stderr: TextSink;
  stdin?: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
}

export interface Meta {
  io: Io;
  ui: Ui;
  machineReadable: boolean;
  /** Creates the component finder (built-ins, then plugins). */
  components(): Promise<ComponentFinder>;
  /** Where Ctrl-C / SIGTERM land. */
  signal: AbortSignal;
}

export function makeUi(io: Io, machineReadable: boolean): Ui {
  return machineReadable ? new MachineReadableUi(io.stdout, log) : new BasicUi(io.stdout, io.stderr, io.stdin, log);
}

/** -var, -var-file, -only, -except as Packer's MetaArgs. */
export class MetaArgs {
  vars: Record<string, string> = {};
  varFiles: string[] = [];
  only: string[] = [];
  except: string[] = [];
  path = '';

  addVarFlags(f: FlagSet): void {
    f.value('var', (v) => {
      const eq = v.indexOf('=');
      if (eq < 0) throw new Error(`No '=' value in arg: ${v}`);
      this.vars[v.slice(0, eq)] = v.slice(eq + 1);
    });
    f.string('var-file', (v) => { this.varFiles.push(v); });
  }

  addFilterFlags(f: FlagSet): void {
    f.string('only', (v) => { this.only = splitList(v); });
    f.string('except', (v) => { this.except = splitList(v); });
  }

  /** Variables from the var files (in order), overridden by -var. */
  variables(): Record<string, string> {
    const fromFiles: Record<string, string> = {};
    for (const file of this.varFiles) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        throw new Error(err.code === 'ENOENT' ? `open ${file}: no such file or directory` : `Error reading variables in '${file}': ${err.message}`);
      }
      // Read like Go's streaming decoder, as Packer reads var files.
      let value: unknown;
      try {
        value = scanJson(text, { stream: true }).value;
      } catch (e) {
        throw new Error(`Error reading variables in '${file}': ${errorMessage(e)}`);
      }
      // null decodes into the map as nothing, as in Go
      if (value !== null && (typeof value !== 'object' || Array.isArray(value))) {
        throw new Error(`Error reading variables in '${file}': json: cannot unmarshal ${jsonKind(value)} into Go value of type kvflag.FlagJSON`);
      }
      for (const [k, v] of Object.entries(value ?? {})) {
        if (typeof v !== 'string') {
          if (v !== null) throw new Error(`Error reading variables in '${file}': json: cannot unmarshal ${jsonKind(v)} into Go value of type string`);
          continue;
        }
        fromFiles[k] = v;
      }
    }
    return { ...fromFiles, ...this.vars };
  }
}

/** Reads the template and sets up an initialized core; reports errors on the Ui and returns undefined. */
export async function loadCore(meta: Meta, args: MetaArgs): Promise<{ core: Core; template: Template } | undefined> {
  let template: Template;
  try {
    template = await parseTemplateFile(args.path);
  } catch (e) {
    meta.ui.error(`Failed to parse template: ${errorMessage(e)}`);
    return undefined;
  }
  let variables: Record<string, string>;
  try {
    variables = args.variables();
  } catch (e) {
    meta.ui.error(errorMessage(e));
    return undefined;
  }
  const core = new Core({ template, components: await meta.components(), variables });
  try {
    core.initialize();
  } catch (e) {
    meta.ui.error(diagnostic('Error', '', errorMessage(e)));
    return undefined;
  }
  return { core, template };
}

/** HCL-style diagnostic text as Packer prints it: `Error: summary\n\ndetail\n\n`. */
export function diagnostic(severity: 'Error' | 'Warning', summary: string, detail: string): string {
  return `${severity}: ${summary}\n\n${detail}\n\n`;
}

/**
 * Parses a command's flags; on a bad flag, -h, or a count of arguments
 * outside [min, max], shows the command's help (and the flag error) and
 * returns false, as Packer does.
 */
export function parseFlags(meta: Meta, flags: FlagSet, argv: string[], help: string, min = 1, max = 1): boolean {
  try {
    flags.parse(argv);
  } catch (e) {
    meta.ui.say(help);
    if (e instanceof FlagError && e.message !== 'help requested') meta.ui.error(e.message);
    return false;
  }
  if (flags.args.length < min || flags.args.length > max) {
    meta.ui.say(help);
    return false;
  }
  return true;
}
