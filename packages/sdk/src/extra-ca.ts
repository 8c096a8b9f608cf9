/**
 * NODE_EXTRA_CA_CERTS, loaded on a process's first TLS connection instead of at its start.
 *
 * Node 20 reads and parses the NODE_EXTRA_CA_CERTS file at every start, before any script runs.
 * Where it names a system bundle (Debian's /etc/ssl/certs/ca-certificates.crt: ~140
 * certificates) that is most of node's start-up: `node -e 0` takes about 2.5x as long. Most
 * packer-ts processes (a build, a plugin serving a built-in, `version`) never open a TLS
 * connection. So bin/packer-ts starts node without the variable and hands its value over in
 * PACKER_TS_EXTRA_CA_CERTS; the launcher puts NODE_EXTRA_CA_CERTS back into the environment
 * (child processes, shell-local scripts among them, see what the user set) and calls
 * deferExtraCaCertificates. A TLS client of this process calls useExtraCaCertificates before it
 * connects: from then on every TLS context made without a `ca` of its own trusts node's bundled
 * roots and the file's certificates, as node's default store would have at start. A process
 * that node started with the variable itself (an SDK plugin run by its own `#!/usr/bin/env
 * node` line) has nothing deferred: useExtraCaCertificates does nothing there.
 *
 *   adoptDeferredExtraCa(env?)       at start: PACKER_TS_EXTRA_CA_CERTS (set by bin/packer-ts or a
 *                                    plugin's EXECUTABLE_BANNER, banner.mjs) back into
 *                                    NODE_EXTRA_CA_CERTS, and the file deferred
 *   deferExtraCaCertificates(file)   node did not load `file` at start
 *   useExtraCaCertificates()         before a TLS connection; loads the deferred file once
 *                                    (a file that cannot be read gives node's warning, once)
 */
import { readFileSync } from 'node:fs';

const DEFERRED = Symbol.for('packer-ts.deferred-extra-ca-certs');

type Global = typeof globalThis & { [DEFERRED]?: string };

export function adoptDeferredExtraCa(env: NodeJS.ProcessEnv = process.env): void {
  const file = env.PACKER_TS_EXTRA_CA_CERTS;
  if (file === undefined) return;
  delete env.PACKER_TS_EXTRA_CA_CERTS;
  if (env.NODE_EXTRA_CA_CERTS !== undefined || file === '') return;
  env.NODE_EXTRA_CA_CERTS = file;
  deferExtraCaCertificates(file);
}

export function deferExtraCaCertificates(file: string): void {
  (globalThis as Global)[DEFERRED] = file;
}

export function useExtraCaCertificates(): void {
  const g = globalThis as Global;
  const file = g[DEFERRED];
  if (file === undefined) return;
  delete g[DEFERRED];
  let extra: string;
  try {
    extra = readFileSync(file, 'utf8');
  } catch (e) {
    process.emitWarning(`Ignoring extra certs from \`${file}\`, load failed: ${(e as Error).message}`);
    return;
  }
  const tls = process.getBuiltinModule('node:tls') as typeof import('node:tls');
  const ca = [...tls.rootCertificates, extra];
  const create = tls.createSecureContext;
  // tls.connect (and so https and fetch) makes its context through this export.
  tls.createSecureContext = (options) => create(options?.ca === undefined ? { ...options, ca } : options);
}
