/**
 * Steps and the runner that drives them (Packer's `multistep` and
 * `commonsteps`): builders are a list of steps sharing a state bag; a step
 * that fails records `error` and halts; cleanups run in reverse order and
 * honour -on-error and -debug.
 */
import { sleep } from '../time.ts';
import { runWithUi, type Communicator } from '../communicator.ts';
import { errorMessage } from '../errors.ts';
import { HookCleanupProvision, HookProvision, type Hook } from '../hook.ts';
import { packerRunUUID, type PackerConfig } from '../packer-config.ts';
import { traced } from '../trace.ts';
import type { Ui } from '../ui.ts';

export type StepAction = 'continue' | 'halt';

/** Well-known state keys. */
export const StateCancelled = 'cancelled';
export const StateHalted = 'halted';

/** The state shared by the steps of one run. `error` holds the failure. */
export class StateBag extends Map<string, unknown> {
  /** Typed get; throws when the key is absent (a programming error). */
  need<T>(key: string): T {
    if (!this.has(key)) throw new Error(`state bag has no ${JSON.stringify(key)}`);
    return this.get(key) as T;
  }
  /** The error a step recorded, if any. */
  error(): Error | undefined {
    const e = this.get('error');
    return e === undefined ? undefined : e instanceof Error ? e : new Error(String(e));
  }
}

export interface Step {
  /** Shown by -debug and -on-error messages. */
  readonly name: string;
  run(state: StateBag, signal: AbortSignal): Promise<StepAction>;
  cleanup?(state: StateBag): Promise<void>;
}

export interface RunnerOptions {
  /** The packer_* settings of the build: `debug` pauses between steps, `onError` picks the error behaviour. */
  packer?: Pick<PackerConfig, 'debug' | 'onError'>;
  ui?: Ui;
}

/** Waits `ms` (a step's pause or retry delay); resolves false when `signal` aborted first. */
export function waitFor(ms: number, signal?: AbortSignal): Promise<boolean> {
  return sleep(ms, signal).then(() => true, () => false);
}

/** Records `err` in the state and returns 'halt': the usual way for a step to fail. */
export function halt(state: StateBag, err: unknown, ui?: Ui): StepAction {
  const e = err instanceof Error ? err : new Error(String(err));
  state.set('error', e);
  ui?.error(e.message);
  return 'halt';
}

/** -debug's pause (Packer's DebugPauseDefault): an ask that fails (no terminal) does not stop the build. */
async function pause(ui: Ui, where: string, name: string, signal?: AbortSignal): Promise<void> {
  const answer = ui.ask(`Pausing ${where} step '${name}'. Press enter to continue.`).catch(() => '');
  if (!signal) { await answer; return; }
  await Promise.race([answer, new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }))]);
}

async function askOnError(ui: Ui, name: string): Promise<'cleanup' | 'abort' | 'retry'> {
  ui.say(`Step ${JSON.stringify(name)} failed`);
  for (;;) {
    // an ask that fails (no terminal) reads as "" (clean up), as Packer's askPrompt
    const line = await ui.ask('[c] Clean up and exit, [a] abort without cleanup, or [r] retry step (build may fail even if retry succeeds)?').catch(() => '');
    const c = (line.toLowerCase() + 'c')[0];
    if (c === 'c') return 'cleanup';
    if (c === 'a') return 'abort';
    if (c === 'r') return 'retry';
    ui.say(`Incorrect input: ${JSON.stringify(line)}`);
  }
}

/**
 * Runs `steps` in order until one halts or `signal` aborts, then runs the
 * cleanups of the steps that ran, in reverse order.
 */
export async function runSteps(steps: Step[], state: StateBag, signal: AbortSignal, opts: RunnerOptions = {}): Promise<void> {
  const onError = opts.packer?.onError || 'cleanup';
  const debug = opts.packer?.debug ?? false;
  const ui = opts.ui;
  const ran: Step[] = [];
  const onAbort = () => state.set(StateCancelled, true);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (const step of steps) {
      if (signal.aborted) { state.set(StateCancelled, true); break; }
      let action: StepAction;
      for (;;) {
        try {
          action = await traced('step', step.name, () => step.run(state, signal), { signal, ok: (a) => a === 'continue' });
        } catch (e) {
          action = halt(state, e);
        }
        if (action === 'halt' && onError === 'ask' && ui && !signal.aborted) {
          const err = state.error();
          if (err) ui.error(err.message);
          const choice = await askOnError(ui, step.name);
          if (choice === 'retry') { state.delete('error'); continue; }
          if (choice === 'abort') state.set('aborted', true);
        }
        break;
      }
      ran.push(step);
      if (state.has(StateCancelled)) break;
      if (action === 'halt') { state.set(StateHalted, true); break; }
      if (debug && ui) await pause(ui, 'after run of', step.name, signal);
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  let logged = false;
  const abortMode = onError === 'abort' || onError === 'run-cleanup-provisioner' || (onError === 'ask' && state.has('aborted'));
  for (const step of ran.reverse()) {
    if (!step.cleanup) continue;
    const failed = state.has(StateCancelled) || state.has(StateHalted);
    if (abortMode && failed && !(onError === 'run-cleanup-provisioner' && step instanceof StepProvision)) {
      if (ui) {
        if (!logged) {
          const err = state.error();
          if (err) ui.error(err.message);
          ui.error(state.has(StateCancelled) ? 'Interrupted, aborting...' : `Step ${JSON.stringify(step.name)} failed, aborting...`);
          logged = true;
        } else ui.error(`aborted: skipping cleanup of step ${JSON.stringify(step.name)}`);
      }
      continue;
    }
    if (debug && ui) await pause(ui, 'before cleanup of', step.name);
    try {
      await traced('step', `${step.name} (cleanup)`, () => step.cleanup!(state));
    } catch (e) {
      ui?.error(`Error cleaning up step ${JSON.stringify(step.name)}: ${errorMessage(e)}`);
    }
  }
}

/** Generated-data values of a builder without an HTTP server (Packer's texts). */
export const HTTP_IP_NOT_IMPLEMENTED = 'ERR_HTTP_IP_NOT_IMPLEMENTED_BY_BUILDER';
export const HTTP_PORT_NOT_IMPLEMENTED = 'ERR_HTTP_PORT_NOT_IMPLEMENTED_BY_BUILDER';
export const HTTP_ADDR_NOT_IMPLEMENTED = 'ERR_HTTP_ADDR_NOT_IMPLEMENTED_BY_BUILDER';

/** Data every builder hands the provision hook (Packer's PopulateProvisionHookData). */
export function provisionHookData(state: StateBag): Record<string, unknown> {
  const data: Record<string, unknown> = { ...((state.get('generated_data') as Record<string, unknown> | undefined) ?? {}) };
  data.ID = state.get('instance_id') ?? 'ERR_ID_NOT_IMPLEMENTED_BY_BUILDER';
  data.PackerRunUUID = packerRunUUID();
  data.PackerHTTPIP = HTTP_IP_NOT_IMPLEMENTED;
  data.PackerHTTPPort = HTTP_PORT_NOT_IMPLEMENTED;
  data.PackerHTTPAddr = HTTP_ADDR_NOT_IMPLEMENTED;
  const port = state.get('http_port');
  const ip = state.get('http_ip');
  if (port !== undefined) data.PackerHTTPPort = String(port);
  if (ip !== undefined) data.PackerHTTPIP = String(ip);
  if (port !== undefined && ip !== undefined) data.PackerHTTPAddr = `${ip}:${port}`;
  const comm = state.get('communicator_data') as Record<string, unknown> | undefined;
  if (comm) Object.assign(data, comm);
  return data;
}

/**
 * Runs the provision hook with the communicator in state `communicator`;
 * on a failed build its cleanup runs the error-cleanup-provisioner hook.
 */
export class StepProvision implements Step {
  readonly name = 'StepProvision';
  constructor(readonly comm?: Communicator) {}

  private async runHook(state: StateBag, hookType: string, signal: AbortSignal): Promise<StepAction> {
    const comm = this.comm ?? (state.get('communicator') as Communicator | undefined);
    const hook = state.need<Hook>('hook');
    const ui = state.need<Ui>('ui');
    const data = provisionHookData(state);
    state.set('generated_data', data);
    if (hookType === HookCleanupProvision) ui.say('Provisioning step had errors: Running the cleanup provisioner, if present...');
    try {
      await hook.run(hookType, ui, comm, data, signal);
      return 'continue';
    } catch (e) {
      // Cancelled: halt without an error, so no cleanup provisioner runs.
      if (signal.aborted) return 'halt';
      if (hookType === HookProvision) state.set('error', e instanceof Error ? e : new Error(String(e)));
      else {
        const orig = state.error();
        state.set('error', new Error(`Cleanup failed: ${errorMessage(e)}. Original Provisioning error: ${orig?.message ?? ''}`));
      }
      return 'halt';
    }
  }

  run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    return this.runHook(state, HookProvision, signal);
  }

  async cleanup(state: StateBag): Promise<void> {
    if (state.has('error')) await this.runHook(state, HookCleanupProvision, new AbortController().signal);
  }
}

/** The communicator settings StepCleanupTempKeys reads. */
export interface TempKeysConfig {
  type?: string;
  sshClearAuthorizedKeys?: boolean;
  temporaryKeyPairName?: string;
}

/**
 * After provisioning, removes the public key whose comment is the temporary
 * key pair's name from the user's and root's authorized_keys when
 * `ssh_clear_authorized_keys` is set, as Packer's commonsteps.StepCleanupTempKeys:
 * the commands' output is shown, and a failure never fails the build.
 */
export class StepCleanupTempKeys implements Step {
  readonly name = 'StepCleanupTempKeys';
  constructor(readonly config: TempKeysConfig) {}

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const c = this.config;
    const name = c.temporaryKeyPairName ?? '';
    if (!c.sshClearAuthorizedKeys || (c.type ?? 'ssh') !== 'ssh' || name === '') return 'continue';
    const comm = state.need<Communicator>('communicator');
    const ui = state.need<Ui>('ui');
    ui.say('Trying to remove ephemeral keys from authorized_keys files');
    for (const command of [
      `sed -i.bak '/ ${name}$/d' ~/.ssh/authorized_keys; rm ~/.ssh/authorized_keys.bak`,
      `sudo sed -i.bak '/ ${name}$/d' /root/.ssh/authorized_keys; sudo rm /root/.ssh/authorized_keys.bak`,
    ]) {
      if (signal.aborted) return 'halt';
      // Packer only logs a failure here ("please clean up keys manually").
      try { await runWithUi(comm, command, ui, signal); } catch { /* not fatal */ }
    }
    return 'continue';
  }
}
