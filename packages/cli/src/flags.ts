/**
 * Command-line flags parsed the way Go's `flag` package (and so Packer) does:
 * `-name`, `--name`, `-name=value`, `-name value`; parsing stops at the
 * first argument that is not a flag, or after `--`.
 */
export class FlagError extends Error {}

interface FlagDef {
  name: string;
  bool: boolean;
  set(value: string): void;
}

export class FlagSet {
  private defs = new Map<string, FlagDef>();
  args: string[] = [];

  bool(name: string, set: (v: boolean) => void): this {
    this.defs.set(name, {
      name, bool: true,
      set: (v) => {
        const b = parseBool(v);
        if (b === undefined) throw new FlagError(`invalid boolean value ${JSON.stringify(v)} for -${name}: parse error`);
        set(b);
      },
    });
    return this;
  }

  string(name: string, set: (v: string) => void): this {
    this.defs.set(name, { name, bool: false, set });
    return this;
  }

  int(name: string, set: (v: number) => void): this {
    this.defs.set(name, {
      name, bool: false,
      set: (v) => {
        if (!/^[+-]?(0x[0-9a-f]+|\d+)$/i.test(v)) throw new FlagError(`invalid value ${JSON.stringify(v)} for flag -${name}: parse error`);
        set(Number(v));
      },
    });
    return this;
  }

  /** A flag whose setter validates; its Error message is reported like Go's flag.Value errors. */
  value(name: string, set: (v: string) => void): this {
    this.defs.set(name, {
      name, bool: false,
      set: (v) => {
        try { set(v); } catch (e) { throw new FlagError(`invalid value ${JSON.stringify(v)} for flag -${name}: ${(e as Error).message}`); }
      },
    });
    return this;
  }

  /** Parses `argv`; throws FlagError with Go's messages. Remaining args land in `args`. */
  parse(argv: string[]): void {
    let i = 0;
    for (; i < argv.length; i++) {
      const a = argv[i]!;
      if (a.length < 2 || a[0] !== '-') break;
      let body = a.slice(1);
      if (body[0] === '-') {
        body = body.slice(1);
        if (body === '') { i++; break; }
      }
      if (body === '' || body[0] === '-' || body[0] === '=') throw new FlagError(`bad flag syntax: ${a}`);
      const eq = body.indexOf('=');
      const name = eq >= 0 ? body.slice(0, eq) : body;
      const def = this.defs.get(name);
      if (!def) throw new FlagError(name === 'help' || name === 'h' ? 'help requested' : `flag provided but not defined: -${name}`);
      if (def.bool) {
        def.set(eq >= 0 ? body.slice(eq + 1) : 'true');
      } else if (eq >= 0) {
        def.set(body.slice(eq + 1));
      } else {
        if (i + 1 >= argv.length) throw new FlagError(`flag needs an argument: -${name}`);
        def.set(argv[++i]!);
      }
    }
    this.args = argv.slice(i);
  }
}

function parseBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

