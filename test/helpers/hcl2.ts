/**
 * Reading what a tool says about an HCL2 template, for the HCL2 conformance and parity tests:
 * diagnostics (severity, summary, file, line) out of plain or -machine-readable output, and
 * wrappers that serve Packer 1.6.6's Go components as plugins to packer-ts.
 */
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REAL_PACKER } from './requires.ts';

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/**
 * The text a -machine-readable run showed its user: the data of its `ui` records, unescaped
 * (`%!(PACKER_COMMA)` and `\n`); plain output is returned as it is.
 */
export function uiText(output: string): string {
  const lines = output.split('\n');
  if (!lines.some((l) => /^\d+,[^,]*,ui,/.test(l))) return output;
  return lines
    .map((l) => /^\d+,[^,]*,ui,[^,]*,(.*)$/.exec(l)?.[1])
    .filter((d): d is string => d !== undefined)
    .map((d) => d.replaceAll('%!(PACKER_COMMA)', ',').replaceAll('\\n', '\n').replaceAll('\\r', '\r'))
    .join('\n');
}

export interface Diagnostic {
  severity: 'Error' | 'Warning';
  /** The first line of the summary. */
  summary: string;
  /** As printed after `on` (the path as the tool was given it), '' when none. */
  file: string;
  line: number | undefined;
}

/**
 * Every `Error: ...` / `Warning: ...` diagnostic in an output, with the `on FILE line N` that
 * follows it before the next diagnostic (HCL's diagnostic text; a diagnostic without a range
 * has no such line). `dir` (the run's directory) is replaced by `<dir>`.
 */
export function diagnostics(output: string, dir?: string): Diagnostic[] {
  let text = uiText(output).replace(ANSI, '');
  if (dir) text = text.replaceAll(dir, '<dir>');
  const out: Diagnostic[] = [];
  let cur: Diagnostic | undefined;
  for (const l of text.split('\n')) {
    const d = /^(Error|Warning): (.*)$/.exec(l);
    if (d) {
      cur = { severity: d[1] as Diagnostic['severity'], summary: d[2].trim(), file: '', line: undefined };
      out.push(cur);
      continue;
    }
    const on = /^\s+on (.*) line (\d+)(, in .*)?:$/.exec(l);
    if (on && cur && cur.line === undefined) {
      cur.file = on[1];
      cur.line = Number(on[2]);
    }
  }
  return out;
}

/** Diagnostics as sorted, distinct strings: Packer 1.6.6 prints some twice and in map order. */
export function diagnosticSet(output: string, dir?: string): string[] {
  const keys = diagnostics(output, dir).map((d) => `${d.severity}: ${d.summary} @ ${d.file}:${d.line ?? '-'}`);
  return [...new Set(keys)].sort();
}

/**
 * A directory of `packer-KIND-NAME` executables, each serving Packer 1.6.6's built-in component
 * over the plugin protocol (`packer plugin packer-KIND-NAME`), for PACKER_PLUGIN_PATH: packer-ts
 * runs Packer's Go components it has no built-in for (amazon-ebs, virtualbox-iso, ...).
 */
export async function goPluginDir(components: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-goplugins-'));
  for (const c of components) {
    const p = join(dir, `packer-${c}`);
    await writeFile(p, `#!/bin/sh\nexec ${REAL_PACKER} plugin packer-${c}\n`);
    await chmod(p, 0o755);
  }
  return dir;
}
