/**
 * Which files an HCL2 template is (hcl2template's GetHCL2Files) and reading
 * them (hclparse's ParseHCLFile / ParseJSONFile).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isUtf8 } from 'node:buffer';
import { decodeGoText, decodeRawText, fileError } from '@packer-ts/sdk';
import { parseHCL, parseJSON, type Diagnostic, type File } from '@packer-ts/hcl';

export { HCL2_FILE_EXT, HCL2_JSON_FILE_EXT, isHcl2Path } from '../template/kind.ts';

/**
 * The native-syntax and JSON files of `path` by their suffixes: the file
 * itself, or the directory's files (not its sub-directories), by name.
 */
export function hcl2Files(path: string, hclSuffix: string, jsonSuffix: string): { hcl: string[]; json: string[]; diags: Diagnostic[] } {
  const hcl: string[] = [];
  const json: string[] = [];
  if (path === '') return { hcl, json, diags: [] };
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    return { hcl, json, diags: [{ severity: 'error', summary: `Cannot tell wether ${path} is a directory`, detail: fileError(e, path).message }] };
  }
  if (!isDir) {
    if (path.endsWith(jsonSuffix)) json.push(path);
    else if (path.endsWith(hclSuffix)) hcl.push(path);
    return { hcl, json, diags: [] };
  }
  let names: string[];
  try {
    names = readdirSync(path).sort();
  } catch (e) {
    return { hcl, json, diags: [{ severity: 'error', summary: 'Cannot read hcl directory', detail: fileError(e, path).message }] };
  }
  for (const name of names) {
    const file = join(path, name);
    try {
      if (statSync(file).isDirectory()) continue;
    } catch {
      // a dangling link is listed like a file, and fails when read
    }
    if (file.endsWith(hclSuffix)) hcl.push(file);
    else if (file.endsWith(jsonSuffix)) json.push(file);
  }
  return { hcl, json, diags: [] };
}

/**
 * Reads and parses one file of either syntax, failing as hclparse does: its
 * native-syntax reader says "Failed to read file", its JSON one (json.ParseFile)
 * "Failed to open file".
 */
export function readHcl2File(filename: string, syntax: 'native' | 'json'): { file: File | undefined; diags: Diagnostic[] } {
  let src: Buffer;
  try {
    src = readFileSync(filename);
  } catch {
    const diag: Diagnostic = syntax === 'json'
      ? { severity: 'error', summary: 'Failed to open file', detail: `The file ${JSON.stringify(filename)} could not be opened.` }
      : { severity: 'error', summary: 'Failed to read file', detail: `The configuration file ${JSON.stringify(filename)} could not be read.` };
    return { file: undefined, diags: [diag] };
  }
  return parseHcl2Source(src, filename, syntax);
}

/**
 * Parses the bytes of one file. Where they are not all UTF-8 they read as hcl reads them: the
 * JSON syntax's strings get one U+FFFD per such byte (Go's encoding/json), the native syntax
 * reports "Invalid character encoding" (its scanner), and the excerpts of diagnostics print
 * the file's lines as bytes (printedSource).
 */
export function parseHcl2Source(src: Uint8Array, filename: string, syntax: 'native' | 'json'): { file: File; diags: Diagnostic[] } {
  if (isUtf8(src)) return syntax === 'json' ? parseJSON(src, filename) : parseHCL(src, filename);
  const r = syntax === 'json' ? parseJSON(decodeGoText(src), filename) : parseHCL(src, filename);
  return { file: { ...r.file, printedSource: decodeRawText(src) }, diags: r.diags };
}
