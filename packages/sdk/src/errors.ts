/**
 * Errors with a stable code, and the lists of problems a configuration has
 * (MultiError and its styles).
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

/**
 * How a list of errors is printed. Packer prints each component's list in
 * the form its Go code builds it, and users' scripts read that text:
 * - `go-multierror`: hashicorp/go-multierror (`1 error occurred:\n\t* ...`),
 *   Packer's config decoding (unknown and deprecated keys), template validation;
 * - `packer`: packer.MultiError (`1 error(s) occurred:\n\n* ...`), what every
 *   component's Prepare collects its problems in;
 * - `mapstructure`: mapstructure.Error (`1 error(s) decoding:\n\n* ...`, sorted),
 *   values of the wrong type.
 */
export type ErrorListStyle = 'go-multierror' | 'packer' | 'mapstructure';

/**
 * Several errors reported together, printed in `style` (go-multierror's by
 * default; `PackerMultiError` and `DecodeError` for the other two). Lists of
 * the same style flatten into one, as Go's Append functions do.
 */
export class MultiError extends Error {
  readonly errors: Error[];
  constructor(errors: (Error | string)[], readonly style: ErrorListStyle = 'go-multierror') {
    const flat: Error[] = [];
    for (const e of errors) {
      if (e instanceof MultiError && e.style === style) flat.push(...e.errors);
      else flat.push(typeof e === 'string' ? new Error(e) : e);
    }
    super(MultiError.format(flat, style));
    this.name = 'MultiError';
    this.errors = flat;
  }
  /** The text of a list of errors in `style`. */
  static format(errors: Error[], style: ErrorListStyle = 'go-multierror'): string {
    if (style === 'packer') {
      return `${errors.length} error(s) occurred:\n\n${errors.map((e) => `* ${e.message}`).join('\n')}`;
    }
    if (style === 'mapstructure') {
      const points = errors.map((e) => `* ${e.message}`).sort();
      return `${errors.length} error(s) decoding:\n\n${points.join('\n')}`;
    }
    // go-multierror's ListFormatFunc indents the bullets only: a nested list's lines stay as they are
    const points = errors.map((e) => `\t* ${e.message}`);
    const head = errors.length === 1 ? '1 error occurred:' : `${errors.length} errors occurred:`;
    return `${head}\n${points.join('\n')}\n\n`;
  }
  /** Throws a list of this class when `errors` is not empty. */
  static throwIf(this: new (errors: (Error | string)[]) => MultiError, errors: (Error | string)[]): void {
    if (errors.length > 0) throw new this(errors);
  }
}

/** packer.MultiError: the problems a component's Prepare found. */
export class PackerMultiError extends MultiError {
  constructor(errors: (Error | string)[]) {
    super(errors, 'packer');
    this.name = 'PackerMultiError';
  }
}

/** mapstructure.Error: values that could not be decoded into their fields. */
export class DecodeError extends MultiError {
  constructor(errors: (Error | string)[]) {
    super(errors, 'mapstructure');
    this.name = 'DecodeError';
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
