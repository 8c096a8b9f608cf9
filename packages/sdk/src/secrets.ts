/**
 * The process-wide secret filter (Packer's `packer.LogSecretFilter`): every
 * value registered here is replaced by `<sensitive>` in UI output and logs.
 */
const secrets = new Set<string>();
/** The secrets longest first (so a secret containing another is masked whole); kept sorted on add. */
let ordered: string[] = [];

export function addSecret(...values: string[]): void {
  let changed = false;
  for (const v of values) {
    if (v.trim() === '' || secrets.has(v)) continue;
    secrets.add(v);
    changed = true;
  }
  if (changed) ordered = [...secrets].sort((a, b) => b.length - a.length);
}

export function clearSecrets(): void {
  secrets.clear();
  ordered = [];
}

/** Replaces every registered secret in `text` by `<sensitive>`, longest first. */
export function redact(text: string): string {
  let out = text;
  for (const s of ordered) {
    if (out.includes(s)) out = out.split(s).join('<sensitive>');
  }
  return out;
}
