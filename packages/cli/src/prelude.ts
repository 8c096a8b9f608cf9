/** What every run does first: open the log (PACKER_LOG, PACKER_LOG_PATH) and log the command line. */
import { errorMessage } from '@packer-ts/sdk';
import { exitQuietlyOnClosedOutput, log, setupLog, VERSION } from '@packer-ts/core';
import type { Io } from './meta.ts';

/** False (after printing Packer's message) when the log cannot be opened: the run ends with 1. */
export function openLog(argv: string[], io: Io): boolean {
  try {
    setupLog(io.env);
  } catch (e) {
    io.stderr.write(`Couldn't setup log output: ${errorMessage(e)}`); // sic: Packer ends it without a newline
    return false;
  }
  if (io.stdout === process.stdout) exitQuietlyOnClosedOutput(log);
  log(`[INFO] packer-ts version: ${VERSION}; args: ${JSON.stringify(argv)}`);
  return true;
}
