// The first lines of a plugin executable bundled from TypeScript (esbuild's `banner`): a file
// that sh runs and node reads as JavaScript. sh moves NODE_EXTRA_CA_CERTS to
// PACKER_TS_EXTRA_CA_CERTS and execs node on the same file; node skips the #! line and reads the
// second as a string and a comment. Node 20 parses the NODE_EXTRA_CA_CERTS file at every start
// (where it names a system bundle, most of node's start-up); the SDK puts the variable back when
// the plugin starts and loads the certificates at its first TLS connection (src/extra-ca.ts).
export const EXECUTABLE_BANNER = [
  '#!/bin/sh',
  '":" //; if [ -n "${NODE_EXTRA_CA_CERTS-}" ]; then PACKER_TS_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS; export PACKER_TS_EXTRA_CA_CERTS; unset NODE_EXTRA_CA_CERTS; fi; exec node "$0" "$@"',
].join('\n');
