/**
 * The package path a Packer core knows hcldec's spec types by in gob. gob names a non-pointer
 * type in an interface by its package path (`<path>.ObjectSpec`; pointer types by package name
 * only, `*hcldec.AttrSpec`), and the receiver fails on a name it did not register ("gob: name not
 * registered for interface", a crash in Packer 1.6.6). A core built in module mode registers
 * `github.com/hashicorp/hcl/v2/hcldec`; one built in GOPATH mode from Packer's vendor tree (such
 * as the Debian-style Packer 1.6.6 builds) registers
 * `github.com/hashicorp/packer/vendor/github.com/hashicorp/hcl/v2/hcldec`. Only specs with blocks
 * put an ObjectSpec inside an interface, so only they need to know.
 *
 * The core is the plugin's parent process (Packer starts plugins itself; wrapper scripts `exec`):
 * its executable holds the vendored path when it registered that one. The scan (a ~100 MB binary
 * read in 8 MiB chunks, some 200 ms) runs at most once per process, on the first spec that needs it.
 *
 * Public API
 *   HCLDEC_PACKAGE, HCLDEC_VENDORED_PACKAGE
 *   hcldecGobPackage(): string            the path detected so far (HCLDEC_PACKAGE until detected)
 *   detectHcldecGobPackage(exe?): Promise<string>   scans `exe` (default: the parent's executable) once
 *   specNeedsGobPackage(spec): boolean    the spec has an ObjectSpec inside an interface (a block)
 */
import type { HclSpec } from './hcl-spec.ts';

export const HCLDEC_PACKAGE = 'github.com/hashicorp/hcl/v2/hcldec';
export const HCLDEC_VENDORED_PACKAGE = 'github.com/hashicorp/packer/vendor/' + HCLDEC_PACKAGE;

let current = HCLDEC_PACKAGE;
let detection: Promise<string> | undefined;

export function hcldecGobPackage(): string {
  return current;
}

async function containsBytes(path: string, needle: Buffer): Promise<boolean> {
  // Loaded here, not at start: node:fs/promises brings readline and fs watchers with it.
  const { open } = process.getBuiltinModule('node:fs/promises') as typeof import('node:fs/promises');
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(8 << 20);
    let pos = 0;
    let carry = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, carry, buf.length - carry, pos);
      if (bytesRead === 0) return false;
      const n = carry + bytesRead;
      if (buf.subarray(0, n).includes(needle)) return true;
      carry = Math.min(needle.length - 1, n);
      buf.copy(buf, 0, n - carry, n);
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

export function detectHcldecGobPackage(exe = `/proc/${process.ppid}/exe`): Promise<string> {
  detection ??= (async () => {
    try {
      if (await containsBytes(exe, Buffer.from(HCLDEC_VENDORED_PACKAGE + '.ObjectSpec'))) current = HCLDEC_VENDORED_PACKAGE;
    } catch {
      // Not readable (another user's process, no /proc): the module path, as Packer's releases.
    }
    return current;
  })();
  return detection;
}

export function specNeedsGobPackage(spec: HclSpec): boolean {
  switch (spec.kind) {
    case 'object': return Object.values(spec.attributes).some(specNeedsGobPackage);
    case 'attr': return false;
    case 'block': case 'block-list': return true;
  }
}
