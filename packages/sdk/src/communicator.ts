import type { Readable, Writable } from 'node:stream';
import { UiLineWriter } from './lines.ts';
import type { Ui } from './ui.ts';

/** The exit status Packer gives a command whose connection was lost (packersdk.CmdDisconnect). */
export const CMD_DISCONNECT = 2300218;

/** A command to run on the machine being built. Mirrors Packer's `packer.RemoteCmd`. */
export interface RemoteCmd {
  command: string;
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
}

/** Metadata of an uploaded file. */
export interface FileInfo {
  size?: number;
  mode?: number;
  name?: string;
}

/**
 * Communicator reaches the machine being built (SSH, WinRM, none...).
 * Mirrors Packer's `packer.Communicator`.
 */
export interface Communicator {
  /**
   * Runs a command and resolves with its exit status once it ended.
   * Streams given in `cmd` receive the output as it comes.
   * Rejects when the command could not be started or the connection was lost.
   */
  start(cmd: RemoteCmd, signal?: AbortSignal): Promise<number>;
  /** Uploads the bytes of `input` to the remote `path`. */
  upload(path: string, input: Readable, info?: FileInfo): Promise<void>;
  /** Uploads a local directory `src` to remote `dst` (rsync semantics of trailing slashes). */
  uploadDir(dst: string, src: string, exclude?: string[]): Promise<void>;
  /** Downloads the remote `path` into `output`. */
  download(path: string, output: Writable): Promise<void>;
  /** Downloads the remote directory `src` into local `dst`. */
  downloadDir(src: string, dst: string, exclude?: string[]): Promise<void>;
}

/** True for a "connection lost" outcome of Communicator.start (a status, or the plugin boundary's error). */
export function isDisconnect(e: unknown): boolean {
  return e instanceof Error && /^remote command disconnected/.test(e.message);
}

/**
 * Runs `command` with its output lines in the Ui (stdout as messages, stderr
 * as errors), as Packer's RemoteCmd.RunWithUi; resolves with the exit status,
 * CMD_DISCONNECT when the connection was lost.
 */
export async function runWithUi(comm: Communicator, command: string, ui: Ui, signal?: AbortSignal): Promise<number> {
  const out = new UiLineWriter((t) => ui.message(t));
  const err = new UiLineWriter((t) => ui.error(t));
  let status: number;
  try {
    status = await comm.start({ command, stdout: out, stderr: err }, signal);
  } catch (e) {
    if (!isDisconnect(e)) throw e;
    status = CMD_DISCONNECT;
  } finally {
    out.end();
    err.end();
  }
  return status;
}

/**
 * The communicator of `communicator = "none"` (Packer's communicator/none): a command "runs"
 * doing nothing and exits 0; file transfers fail with Packer's words.
 */
export class NoneCommunicator implements Communicator {
  async start(_cmd: RemoteCmd): Promise<number> { return 0; }
  async upload(_path: string, _input: Readable): Promise<void> { throw new Error("Upload is not implemented when communicator = 'none'"); }
  async uploadDir(_dst: string, _src: string): Promise<void> { throw new Error("UploadDir is not implemented when communicator = 'none'"); }
  async download(_path: string, _output: Writable): Promise<void> { throw new Error("Download is not implemented when communicator = 'none'"); }
  async downloadDir(_src: string, _dst: string): Promise<void> { throw new Error("DownloadDir is not implemented when communicator = 'none'"); }
}
