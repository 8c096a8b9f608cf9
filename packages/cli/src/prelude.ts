/** What every run does first: open the log (PACKER_LOG, PACKER_LOG_PATH) and log the command line. */
import { errorMessage } from '@packer-ts/sdk';
import { exitQuietlyOnClosedOutput, VERSION } from '@packer-ts/core';
import { log, setupLog } from '@packer-ts/sdk';
import type { Io } from './meta.ts';

/**
 * False (after printing Packer's message) when the log cannot be opened: the run ends with 1.
 * `watchClosedOutput`: end by SIGPIPE on EPIPE from process.stdout/stderr (not asked when the
 * run writes without them: reading process.stdout creates it).
 */
export function openLog(argv: string[], io: Io, watchClosedOutput = io.stdout === process.stdout): boolean {
  try {
    setupLog(io.env);
  } catch (e) {
    io.stderr.write(`Couldn't setup log output: ${errorMessage(e)}`); // sic: Packer ends it without a newline
    return false;
  }
  if (watchClosedOutput) exitQuietlyOnClosedOutput(log);
  log(`[INFO] packer-ts version: ${VERSION}; args: ${JSON.stringify(argv)}`);
  return true;
}
