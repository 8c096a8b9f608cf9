/**
 * What every command shares: the Ui, variables from -var/-var-file, the
 * template path, flags and diagnostics. Reading a JSON template and setting up
 * its core: json-template.ts (an HCL2 command does not evaluate the JSON core).
 */
import { readFileSync, statSync } from 'node:fs';
import { errorMessage, fileError, wordWrap, type Ui } from '@packer-ts/sdk';
import { BasicUi, MachineReadableUi, jsonKind, scanJson, type ComponentFinder, type TextSink } from '@packer-ts/core';
import { log } from '@packer-ts/sdk';
import { FlagError, FlagSet } from './flags.ts';
import { wantsHelp } from './start.ts';

export interface Io {
  stdout: TextSink;
  stderr: TextSink;
  /** Where `stdinFd` is set, a getter: process.stdin (node's stream modules) is created when first read. */
  stdin?: NodeJS.ReadableStream;
  /** Set when stdin is this process's descriptor and no terminal: a command may read it without the stream (console.ts). */
  stdinFd?: number;
  env: NodeJS.ProcessEnv;
}

export interface Meta {
  io: Io;
  ui: Ui;
  machineReadable: boolean;
  /** Creates the component finder (built-ins, then plugins). */
  /** The first call decides the options (`releasesOnly`: -ignore-prerelease-plugins). */
  components(opts?: { releasesOnly?: boolean }): Promise<ComponentFinder>;
  /** Where Ctrl-C / SIGTERM land. */
  signal: AbortSignal;
}

/** Packer's Ui: say and error both on stdout (its ErrorWriter is os.Stdout); logs go elsewhere. */
export function makeUi(io: Io, machineReadable: boolean): Ui {
  return machineReadable ? new MachineReadableUi(io.stdout, log) : new BasicUi(io.stdout, io.stdout, undefined, log);
}

/** -var, -var-file, -only, -except as Packer's MetaArgs. */
export class MetaArgs {
  vars: Record<string, string> = {};
  /** -var values in command-line order (HCL2 templates read them in order). */
  varList: { name: string; value: string }[] = [];
  varFiles: string[] = [];
  only: string[] = [];
  except: string[] = [];
  path = '';

  addVarFlags(f: FlagSet): void {
    f.value('var', (v) => {
      const eq = v.indexOf('=');
      if (eq < 0) throw new Error(`No '=' value in arg: ${v}`);
      this.vars[v.slice(0, eq)] = v.slice(eq + 1);
      this.varList.push({ name: v.slice(0, eq), value: v.slice(eq + 1) });
    });
    f.string('var-file', (v) => { this.varFiles.push(v); });
  }

  /** -use-sequential-evaluation (Packer 1.16): datasources, then locals, in order, instead of their graph. */
  sequential = false;

  /** -ignore-prerelease-plugins (Packer 1.16): installed plugin versions with a pre-release part are not used. */
  releasesOnly = false;

  /** Packer 1.16's -ignore-prerelease-plugins (build, validate). */
  addPrereleaseFlag(f: FlagSet): void {
    f.bool('ignore-prerelease-plugins', (v) => { this.releasesOnly = v; });
  }

  /** Packer 1.16's -use-sequential-evaluation (build, validate, console, inspect; it only changes HCL2 templates with data blocks). */
  addSequentialFlag(f: FlagSet): void {
    f.bool('use-sequential-evaluation', (v) => { this.sequential = v; });
  }

  addFilterFlags(f: FlagSet): void {
    // Packer's sliceflag.StringFlag: each use appends its comma-separated parts (strings.Split:
    // an empty value is one empty name, which no build has)
    f.string('only', (v) => { this.only.push(...v.split(',')); });
    f.string('except', (v) => { this.except.push(...v.split(',')); });
  }

  /** Variables from the var files (in order), overridden by -var. */
  variables(): Record<string, string> {
    const fromFiles: Record<string, string> = {};
    for (const file of this.varFiles) {
      let text: Buffer;
      try {
        text = readFileSync(file);
      } catch (e) {
        // os.Open's failure alone; a failed read (a directory) inside the decoder's message
        const err = fileError(e, file);
        throw (e as NodeJS.ErrnoException).syscall === 'read' ? new Error(`Error reading variables in '${file}': ${err.message}`) : err;
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
        if (typeof v !== 'string' && v !== null) throw new Error(`Error reading variables in '${file}': json: cannot unmarshal ${jsonKind(v)} into Go value of type string`);
        // a null element is the string's zero value, "", as Go decodes it into the map
        fromFiles[k] = v ?? '';
      }
    }
    return { ...fromFiles, ...this.vars };
  }
}

/**
 * Packer's first look at the template path (MetaArgs.GetConfigType): a stat,
 * whose failure is reported as `"x.json": stat x.json: no such file or directory`.
 */
export function statTemplatePath(path: string): { isDir: boolean; error?: undefined } | { error: string } {
  try {
    return { isDir: statSync(path).isDirectory() };
  } catch (e) {
    return { error: `${JSON.stringify(path)}: ${fileError(e, path).message}` };
  }
}

/**
 * HCL-style diagnostic text as Packer prints it (hcl's diagnostic text
 * writer, 80 columns): `Error: summary\n\n`, then the detail wrapped at 80
 * columns and `\n\n` when there is one.
 */
export function diagnostic(severity: 'Error' | 'Warning', summary: string, detail: string): string {
  return `${severity}: ${summary}\n\n${detail === '' ? '' : `${wordWrap(detail, DIAGNOSTIC_WIDTH)}\n\n`}`;
}

/** The width Packer's command package gives hcl.NewDiagnosticTextWriter. */
export const DIAGNOSTIC_WIDTH = 80;


/**
 * Parses a command's flags; on a bad flag or a count of arguments outside
 * [min, max], shows the command's help (and the flag error) and returns the exit
 * status 1, as Packer does; asked for help (wantsHelp), shows it and returns 0,
 * as mitchellh/cli answers before the command runs. Undefined: go on.
 */
export function parseFlags(meta: Meta, flags: FlagSet, argv: string[], help: string, min = 1, max = 1): number | undefined {
  if (wantsHelp(argv)) {
    // mitchellh/cli writes it, not the Ui: plain text, also with -machine-readable
    meta.io.stdout.write(`${help}\n`);
    return 0;
  }
  try {
    flags.parse(argv);
  } catch (e) {
    meta.ui.say(help);
    if (e instanceof FlagError && e.message !== 'help requested') meta.ui.error(e.message);
    return 1;
  }
  if (flags.args.length < min || flags.args.length > max) {
    meta.ui.say(help);
    return 1;
  }
  return undefined;
}
