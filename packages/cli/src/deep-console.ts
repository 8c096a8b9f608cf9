/**
 * Console lines nested deeper than the main thread's stack holds (deep-thread.ts).
 *
 * By the time a line is typed the template is read and stdin is being consumed, so the
 * command cannot simply run again on a deep thread. Instead the first deep line starts one
 * "deep console" thread (the same program and command line, with a DEEP_STACK_MB stack): it
 * reads the template again, its own output discarded (the main thread printed what reading
 * it says, so the thread prints nothing), then evaluates the lines it is given, one at a
 * time, and sends back each Evaluation. The main thread keeps stdin, the terminal and all
 * output and awaits each answer (its event loop runs meanwhile: signals are handled, and
 * the thread's end without an answer is seen), so the session's order, prompt, colours and
 * terminal handling are those of the main thread. Lines that are not deep never leave the
 * main thread; a session without deep lines never starts the thread. Between lines the
 * thread is unreferenced: it ends with the process. Nothing of worker_threads loads before
 * the first deep line.
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import { errorMessage } from '@packer-ts/sdk';
import type { Evaluation, Session } from './commands/console.ts';
import { commandArgv, DEEP_CONSOLE_ENV, DEEP_STACK_MB, DEEP_THREAD_ENV } from './deep-thread.ts';

interface WorkerData {
  port: MessagePort;
}

const ENDED: Evaluation = { out: '', exit: false, report: { text: 'Error: the console could not evaluate this deeply nested input: its evaluation thread ended', error: true } };

interface DeepThread { worker: Worker; port: MessagePort; ended: boolean; waiting?: (ev: Evaluation) => void }

let thread: DeepThread | undefined;

function workerThreads(): typeof import('node:worker_threads') {
  return process.getBuiltinModule('node:worker_threads') as typeof import('node:worker_threads');
}

/** On the main thread: `line` evaluated on the deep console thread (started on first use). */
export function evaluateDeepLine(line: string): Promise<Evaluation> {
  if (!thread) {
    const wt = workerThreads();
    const { port1, port2 } = new wt.MessageChannel();
    const workerData: WorkerData = { port: port2 };
    const worker = new wt.Worker(process.argv[1] ?? '', {
      argv: commandArgv(),
      env: { ...process.env, [DEEP_THREAD_ENV]: '1', [DEEP_CONSOLE_ENV]: '1' },
      execArgv: process.execArgv,
      workerData,
      transferList: [port2],
      resourceLimits: { stackSizeMb: DEEP_STACK_MB },
    });
    const t: DeepThread = { worker, port: port1, ended: false };
    const settle = (ev: Evaluation) => {
      const w = t.waiting;
      t.waiting = undefined;
      worker.unref();
      port1.unref();
      w?.(ev);
    };
    port1.on('message', (ev: Evaluation) => settle(ev));
    // an end without an answer (the template unread there, out of memory) answers with an error
    worker.on('error', () => {});
    worker.on('exit', () => { t.ended = true; settle(ENDED); });
    thread = t;
  }
  const t = thread;
  if (t.ended) return Promise.resolve(ENDED);
  return new Promise<Evaluation>((resolve) => {
    t.waiting = resolve;
    t.worker.ref();
    t.port.ref();
    t.port.postMessage(line);
  });
}

/**
 * In a deep console thread, from its start: it prints nothing (what reading the template says
 * was printed by the main thread).
 */
export function prepareDeepConsoleThread(): void {
  // (a worker's own stdout/stderr streams would keep the main thread's process alive)
  for (const out of [process.stdout, process.stderr]) out.write = () => true;
}

/** In a deep console thread: answers the main thread's lines with `session` (never resolves: the main thread ends it). */
export function serveDeepLines(session: Session): Promise<number> {
  const { port } = workerThreads().workerData as WorkerData;
  port.on('message', async (line: string) => {
    let ev: Evaluation;
    try {
      ev = await session.evaluate(line);
    } catch (e) {
      ev = { out: '', exit: false, report: { text: `Error: ${errorMessage(e)}`, error: true } };
    }
    port.postMessage(ev);
  });
  return new Promise<number>(() => {});
}
