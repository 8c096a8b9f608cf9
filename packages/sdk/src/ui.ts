/**
 * Ui is how a component talks to the user. Mirrors Packer's `packer.Ui`.
 *
 * Output calls are fire-and-forget: they never block the caller, and an
 * implementation (local terminal or RPC proxy) must keep their order.
 */
export interface Ui {
  /** Asks the user a question and resolves with the answer ("" when there is no terminal). */
  ask(query: string): Promise<string>;
  /** A headline: shown by the core as `==> build: message`. */
  say(message: string): void;
  /** Detail output: shown as `    build: message`. */
  message(message: string): void;
  /** An error: shown in red, on stderr. */
  error(message: string): void;
  /** A machine-readable record `type,data...` (only shown with -machine-readable). */
  machine(type: string, ...data: string[]): void;
  /**
   * Progress of reading `stream` (a download, an upload), as Packer's `TrackProgress`: returns the
   * stream to read instead. Optional: without it, nothing is shown.
   */
  trackProgress?(src: string, currentSize: number, totalSize: number, stream: NodeJS.ReadableStream): NodeJS.ReadableStream;
}

/** A Ui that drops everything; handy in tests and for components run headless. */
export class NullUi implements Ui {
  async ask(): Promise<string> { return ''; }
  say(): void {}
  message(): void {}
  error(): void {}
  machine(): void {}
}

/** A Ui that records every call, for tests. */
export class RecordingUi implements Ui {
  readonly calls: { kind: 'say' | 'message' | 'error' | 'machine'; text: string }[] = [];
  answers: string[] = [];
  async ask(): Promise<string> { return this.answers.shift() ?? ''; }
  say(m: string): void { this.calls.push({ kind: 'say', text: m }); }
  message(m: string): void { this.calls.push({ kind: 'message', text: m }); }
  error(m: string): void { this.calls.push({ kind: 'error', text: m }); }
  machine(t: string, ...d: string[]): void { this.calls.push({ kind: 'machine', text: [t, ...d].join(',') }); }
  text(kind?: 'say' | 'message' | 'error' | 'machine'): string {
    return this.calls.filter((c) => !kind || c.kind === kind).map((c) => c.text).join('\n');
  }
}
