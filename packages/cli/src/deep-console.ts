/**
 * Console lines nested deeper than the main thread's stack holds (deep-thread.ts).
 *
 * By the time a line is typed the template is read and stdin is being consumed, so the
 * command cannot simply run again on a deep thread. Instead the first deep line starts one
 * "deep console" thread (the same program and command line, with a DEEP_STACK_MB stack): it
 * reads the template again, its own output discarded (the main thread printed what reading
 * it says, so the thread prints nothing), then evaluates the lines it is given, one at a time, and sends back each
 * Evaluation. The main thread keeps stdin, the terminal and all output, and waits for each
 * answer synchronously (Atomics.wait on a shared flag), so the session's order and its
 * prompt, colours and terminal handling are those of the main thread. Lines that are not
 * deep never leave the main thread; a session without deep lines never starts the thread.
 * The thread is unreferenced: it ends with the process. Nothing of worker_threads loads
 * before the first deep line.
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import { errorMessage } from '@packer-ts/sdk';
import { commandArgv, DEEP_CONSOLE_ENV, DEEP_STACK_MB, DEEP_THREAD_ENV } from './deep-thread.ts';

/** What a console evaluation gives (console.ts's Evaluation). */
export interface DeepEvaluation {
  out: string;
  exit: boolean;
  report?: { text: string; error: boolean };
}

/** A console session's evaluator (console-hcl2.ts's Hcl2Console). */
export interface LineEvaluator {
  evaluate(line: string): DeepEvaluation;
}

interface WorkerData {
  port: MessagePort;
  /** [0]: 0 waiting, 1 an answer was posted, 2 the thread ended */
  flag: Int32Array;
}

const ANSWERED = 1;
const ENDED = 2;

let thread: { worker: Worker; port: MessagePort; flag: Int32Array } | undefined;

function workerThreads(): typeof import('node:worker_threads') {
  return process.getBuiltinModule('node:worker_threads') as typeof import('node:worker_threads');
}

/** On the main thread: `line` evaluated on the deep console thread (started on first use). */
export function evaluateDeepLine(line: string): DeepEvaluation {
  const wt = workerThreads();
  if (!thread) {
    const { port1, port2 } = new wt.MessageChannel();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const workerData: WorkerData = { port: port2, flag };
    const worker = new wt.Worker(process.argv[1] ?? '', {
      argv: commandArgv(),
      env: { ...process.env, [DEEP_THREAD_ENV]: '1', [DEEP_CONSOLE_ENV]: '1' },
      execArgv: process.execArgv,
      workerData,
      transferList: [port2],
      resourceLimits: { stackSizeMb: DEEP_STACK_MB },
    });
    worker.on('error', () => {}); // an end without an answer is reported by evaluateDeepLine
    worker.unref();
    port1.unref();
    thread = { worker, port: port1, flag };
  }
  const { port, flag } = thread;
  if (Atomics.load(flag, 0) !== ENDED) {
    Atomics.store(flag, 0, 0);
    port.postMessage(line);
    while (Atomics.load(flag, 0) === 0) Atomics.wait(flag, 0, 0, 1000);
  }
  const got = wt.receiveMessageOnPort(port);
  if (got) return got.message as DeepEvaluation;
  return { out: '', exit: false, report: { text: 'Error: the console could not evaluate this deeply nested input: its evaluation thread ended', error: true } };
}

/**
 * In a deep console thread, from its start: it prints nothing (what reading the template says
 * was printed by the main thread), and however it ends (the template unread, say) the main
 * thread stops waiting.
 */
export function prepareDeepConsoleThread(): void {
  const { flag } = workerThreads().workerData as WorkerData;
  // (a worker's own stdout/stderr streams would keep the main thread's process alive)
  for (const out of [process.stdout, process.stderr]) out.write = () => true;
  process.on('exit', () => {
    Atomics.store(flag, 0, ENDED);
    Atomics.notify(flag, 0);
  });
}

/** In a deep console thread: answers the main thread's lines with `session` (never resolves: the main thread ends it). */
export function serveDeepLines(session: LineEvaluator): Promise<number> {
  const { port, flag } = workerThreads().workerData as WorkerData;
  const answer = (ev: DeepEvaluation, state: number) => {
    port.postMessage(ev);
    Atomics.store(flag, 0, state);
    Atomics.notify(flag, 0);
  };
  port.on('message', (line: string) => {
    let ev: DeepEvaluation;
    try {
      ev = session.evaluate(line);
    } catch (e) {
      ev = { out: '', exit: false, report: { text: `Error: ${errorMessage(e)}`, error: true } };
    }
    answer(ev, ANSWERED);
  });
  return new Promise<number>(() => {});
}
