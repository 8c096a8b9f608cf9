/**
 * Errors with a stable code, and MultiError, the list of problems a
 * configuration has (Packer's `packer.MultiError`).
 */
export type ErrorCode =
  | 'CANCELLED'
  | 'CONFIG_INVALID'
  | 'INTERPOLATION'
  | 'PLUGIN'
  | 'TEMPLATE_INVALID'
  | 'USAGE';

export class PackerError extends Error {
  constructor(readonly code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PackerError';
  }
}

/** Several errors reported together; its message lists them as Packer does. */
export class MultiError extends Error {
  readonly errors: Error[];
  constructor(errors: (Error | string)[]) {
    const flat: Error[] = [];
    for (const e of errors) {
      if (e instanceof MultiError) flat.push(...e.errors);
      else flat.push(typeof e === 'string' ? new Error(e) : e);
    }
    super(MultiError.format(flat));
    this.name = 'MultiError';
    this.errors = flat;
  }
  /** go-multierror's format, which is what Packer users see. */
  static format(errors: Error[]): string {
    const points = errors.map((e) => `\t* ${e.message.replace(/\n/g, '\n\t')}`);
    const head = errors.length === 1 ? '1 error occurred:' : `${errors.length} errors occurred:`;
    return `${head}\n${points.join('\n')}\n\n`;
  }
  /** Throws a MultiError when `errors` is not empty. */
  static throwIf(errors: (Error | string)[]): void {
    if (errors.length > 0) throw new MultiError(errors);
  }
}

/** The message of anything thrown. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Error raised when an AbortSignal fired. */
export function isCancelled(e: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  return e instanceof Error && (e.name === 'AbortError' || (e instanceof PackerError && e.code === 'CANCELLED'));
}
