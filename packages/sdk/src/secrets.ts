/**
 * The process-wide secret filter (Packer's `packer.LogSecretFilter`): every
 * value registered here is replaced by `<sensitive>` in UI output and logs.
 */
const secrets = new Set<string>();

export function addSecret(...values: string[]): void {
  for (const v of values) if (v !== '' && v.trim() !== '') secrets.add(v);
}

export function clearSecrets(): void { secrets.clear(); }

export function hasSecrets(): boolean { return secrets.size > 0; }

/** Replaces every registered secret in `text` by `<sensitive>`, longest first. */
export function redact(text: string): string {
  if (secrets.size === 0) return text;
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(s)) out = out.split(s).join('<sensitive>');
  }
  return out;
}
