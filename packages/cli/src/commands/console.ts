/**
 * `packer-ts console`: evaluates interpolations in the context of a JSON
 * template (console-json.ts: command/console.go, Core.EvaluateExpression), or
 * HCL2 expressions in that of an HCL2 template (console-hcl2.ts); each mode's
 * module loads only for that mode.
 *
 * When stdin is a pipe every line is evaluated, problems are reported as
 * they happen, and only the last result is printed. Otherwise (terminal,
 * file, socket) each line's result is printed and `exit` stops; a terminal
 * also gets a `> ` prompt.
 */
import { decodeGoText, isGoSpace } from '@packer-ts/sdk';
import { FlagSet } from '../flags.ts';
import { stdinMode } from '../stdin-mode.ts';
import { isDeepConsoleThread } from '../deep-thread.ts';
import { MetaArgs, parseFlags, statTemplatePath, type Meta } from '../meta.ts';

export const consoleHelp = `Usage: packer console [options] [TEMPLATE]

  Creates a console for testing variable interpolation.
  If a template is provided, this command will load the template and any
  variables defined therein into its context to be referenced during
  interpolation.

Options:
  -var 'key=value'       Variable for templates, can be used multiple times.
  -var-file=path         JSON or HCL2 file containing user variables. [ Note that even in HCL mode this expects file to contain JSON, a fix is comming soon ]`;

export interface Evaluation {
  out: string;
  exit: boolean;
  /** Diagnostics as printed, and whether one is an error (exit status 1). */
  report?: { text: string; error: boolean };
}

/** A console's evaluator: JSON templates' interpolations, or HCL2 expressions. */
export interface Session {
  /** A promise only for what is evaluated elsewhere (a deeply nested line, deep-console.ts). */
  evaluate(line: string): Evaluation | Promise<Evaluation>;
}

/** Go's strings.TrimSpace. */
function trimSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isGoSpace(s.charCodeAt(a))) a++;
  while (b > a && isGoSpace(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

/**
 * Yields the lines of `chunks` split on `sep` (a final unterminated line included), each byte
 * that is not UTF-8 read as one U+FFFD, as Go turns the bytes of a line into a string.
 */
async function* readLines(chunks: AsyncIterable<string | Buffer> | undefined, sep: RegExp): AsyncGenerator<string> {
  if (!chunks) return;
  // the separators are ASCII: the bytes up to the last one decode on their own
  const seps = sep.source === '\\n' ? [0x0a] : [0x0a, 0x0d];
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let cut = -1;
    for (const c of seps) cut = Math.max(cut, bytes.lastIndexOf(c));
    if (cut < 0) {
      pending = Buffer.concat([pending, bytes]);
      continue;
    }
    const parts = decodeGoText(Buffer.concat([pending, bytes.subarray(0, cut + 1)])).split(sep);
    parts.pop(); // "": the bytes end with a separator
    pending = Buffer.from(bytes.subarray(cut + 1));
    yield* parts;
  }
  const last = decodeGoText(pending);
  if (last !== '') yield last;
}

/**
 * The chunks of descriptor `fd` (a pipe, file or socket), read with fs.read: without node's
 * stream modules, and asynchronously, so that signals are handled while a pipe is waited on,
 * as with process.stdin. Should a read fail (a non-blocking descriptor: EAGAIN), nothing was
 * read by it and `fallback()` (process.stdin) gives the rest, as it would have all of it.
 * Each chunk is only valid until the next is asked for.
 */
async function* readFd(fd: number, fallback: () => AsyncIterable<string | Buffer> | undefined): AsyncGenerator<string | Buffer> {
  const fs = process.getBuiltinModule('node:fs') as typeof import('node:fs');
  const buf = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = await new Promise<number>((res, rej) => fs.read(fd, buf, 0, buf.length, null, (e, got) => (e ? rej(e) : res(got))));
    } catch {
      const rest = fallback();
      if (rest) yield* rest;
      return;
    }
    if (n === 0) return;
    yield buf.subarray(0, n);
  }
}
export async function consoleCommand(meta: Meta, argv: string[]): Promise<number> {
  const args = new MetaArgs();
  let hcl2 = false;
  const flags = new FlagSet();
  args.addVarFlags(flags);
  args.addFilterFlags(flags);
  args.addSequentialFlag(flags);
  flags.value('config-type', (v) => {
    if (v !== 'json' && v !== 'hcl2') throw new Error(`${v} does not belong to configType values`);
    hcl2 = v === 'hcl2';
  });
  const stop = parseFlags(meta, flags, argv, consoleHelp, 0, Infinity);
  if (stop !== undefined) return stop;
  // Anything but exactly one argument means "no template".
  if (flags.args.length === 1) args.path = flags.args[0]!;

  if (args.path !== '' && args.path !== '-') {
    if (args.path.endsWith('.pkr.hcl') || args.path.endsWith('.pkr.json')) hcl2 = true;
    else {
      const st = statTemplatePath(args.path);
      if (st.error !== undefined) {
        meta.ui.error(st.error);
        return 1;
      }
      if (st.isDir) hcl2 = true;
    }
  }
  if (hcl2) {
    // GetConfigFromHCL, then Initialize with its problems ignored. Of Initialize, what a console
    // can see is the locals' values, evaluated as far as each line needs them
    // (PackerConfig.ensureLocals); its sources and builds, and every problem, are left unread.
    const { readHcl2Config } = await import('../hcl2.ts');
    const cfg = await readHcl2Config(meta, args, { lazyLocals: true });
    if (!cfg) return 1;
    // Packer 1.16's console runs Initialize whole where there are data blocks: the datasources
    // run and the locals that use them get their values (its problems ignored, as the rest)
    if (cfg.rootBlocks.some((b) => b.type === 'data')) {
      const { initializeDatasources } = await import('@packer-ts/core/hcl2');
      await initializeDatasources(cfg, { sequential: args.sequential });
      // its lines are evaluated in the locals' context, which has no `data` (EvalContext(LocalContext))
      const vars = cfg.evaluated?.ctx.variables;
      if (vars) delete vars.data;
    }
    const { Hcl2Console } = await import('./console-hcl2.ts');
    const session = new Hcl2Console(cfg);
    // a thread evaluating the deep lines of a console on another thread (deep-console.ts)
    if (isDeepConsoleThread()) return (await import('../deep-console.ts')).serveDeepLines(session);
    return runSession(meta, session);
  }

  // a JSON template (or none): its own module, so that an HCL2 console never loads the JSON core
  const { jsonConsole } = await import('./console-json.ts');
  const session = await jsonConsole(meta, args);
  return session ? runSession(meta, session) : 1;
}

/** Packer's writeDiags for one evaluation: errors on stderr (1), the rest said (0). */
function report(meta: Meta, ev: Evaluation): number {
  if (!ev.report) return 0;
  if (ev.report.error) {
    meta.ui.error(ev.report.text);
    return 1;
  }
  meta.ui.say(ev.report.text);
  return 0;
}

/** The REPL over stdin: piped (only the last result printed), line by line, or a terminal. */
async function runSession(meta: Meta, session: Session): Promise<number> {
  const io = meta.io;
  // stdin's own descriptor where it is no terminal (direct-io.ts), read without the stream
  const fd = io.stdinFd;
  const mode = stdinMode(fd !== undefined ? { fd } : io.stdin);
  const chunks = (): AsyncIterable<string | Buffer> | undefined => (fd !== undefined ? readFd(fd, () => io.stdin) : io.stdin as AsyncIterable<string | Buffer> | undefined);
  if (mode === 'piped') {
    let last = '';
    let ret = 0;
    for await (const raw of readLines(chunks(), /\n/)) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      const ev = await session.evaluate(trimSpace(line));
      if (ev.report) ret = report(meta, ev);
      last = ev.out;
    }
    meta.ui.message(last);
    return ret;
  }
  if (mode === 'lines') {
    for await (const line of readLines(chunks(), /\r|\n/)) {
      const ev = await session.evaluate(line);
      const ret = report(meta, ev);
      if (ev.exit) return ret;
      meta.ui.say(ev.out);
    }
    return 0;
  }
  return interactive(meta, session, io.stdin!);
}

/** A terminal session with a `> ` prompt; Ctrl-C on an empty line or Ctrl-D ends it. */
async function interactive(meta: Meta, session: Session, stdin: NodeJS.ReadableStream): Promise<number> {
  const output = meta.io.stdout as unknown as NodeJS.WritableStream;
  // node:readline loads for a terminal only
  const rl = (process.getBuiltinModule('node:readline') as typeof import('node:readline')).createInterface({ input: stdin, output, terminal: true, prompt: '> ' });
  return new Promise<number>((resolve) => {
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      rl.close();
      resolve(code);
    };
    // lines are answered in order; one evaluated elsewhere (a promise) holds back those after it
    let pending: Promise<void> = Promise.resolve();
    const answer = (ev: Evaluation) => {
      if (done) return;
      const ret = report(meta, ev);
      if (ev.exit) { finish(ret); return; }
      meta.ui.say(ev.out);
      rl.prompt();
    };
    rl.on('line', (line) => {
      pending = pending.then(async () => { if (!done) answer(await session.evaluate(line)); });
    });
    rl.on('SIGINT', () => {
      if (rl.line.length === 0) { output.write('^C\n'); finish(0); return; }
      output.write('^C\n');
      rl.write(null, { ctrl: true, name: 'u' });
      rl.prompt();
    });
    rl.on('close', () => {
      // after the answers to the lines before it
      pending = pending.then(() => {
        if (!done) output.write('exit\n');
        finish(0);
      });
    });
    rl.prompt();
  });
}
