import { connect as netConnect } from 'node:net';
import { formatGoDuration, halt, log, setLongTimeout, waitFor, type Step, type StepAction, type StateBag } from '@packer-ts/sdk';
import { StateConnectDeadline } from '../../../communicator/step-connect.ts';
import { cfg, ui } from './state.ts';

/**
 * Packer's stepWaitGuestAddress (it waits only for a bridged guest's address),
 * and then, for SSH over QEMU's user-mode forward, a wait until the forwarded
 * port answers with an SSH banner. QEMU's user-mode network accepts on the
 * host port at once and holds a connection while the guest's network is down,
 * so a plain SSH attempt can hang for seconds; short probes (a new one every
 * 100 ms, each given up after 1 s without a banner) find the guest's SSH
 * server as soon as it listens. StepConnect gets the rest of ssh_timeout
 * through StateConnectDeadline and then connects at once.
 */
export class StepWaitGuestAddress implements Step {
  readonly name = 'stepWaitGuestAddress';
  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const c = cfg(state);
    if (c.type === 'none') return 'continue';
    ui(state).message('Not using a NetBridge -- skipping StepWaitGuestAddress');
    const port = state.get('commHostPort') as number | undefined;
    if (c.type !== 'ssh' || port === undefined || c.sshBastionHost || c.sshProxyHost) return 'continue';
    const host = c.sshHost || '127.0.0.1';
    const deadline = Date.now() + (c.sshTimeout || 5 * 60_000);
    let ready = false;
    while (!signal.aborted && Date.now() < deadline) {
      if ((ready = await bannerWithin(host, port, Math.min(1000, Math.max(1, deadline - Date.now())), signal))) break;
      await waitFor(100, signal);
    }
    if (signal.aborted) return 'halt';
    if (!ready) {
      const u = ui(state);
      u.say(`Using ssh communicator to connect: ${host}`);
      u.say('Waiting for SSH to become available...');
      const guest = (state.get('commGuestPort') as number | undefined) ?? 22;
      log(`[DEBUG] No SSH server answered on ${host}:${port} (forwarded by QEMU to the guest's port ${guest}) within ${formatGoDuration((c.sshTimeout || 5 * 60_000) * 1e6)}`);
      return halt(state, new Error('Timeout waiting for SSH.'), u);
    }
    state.set(StateConnectDeadline, deadline);
    return 'continue';
  }
}

function bannerWithin(host: string, port: number, ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ host, port });
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      t.clear();
      signal.removeEventListener('abort', onAbort);
      s.destroy();
      resolve(ok);
    };
    const t = setLongTimeout(() => finish(false), ms);
    const onAbort = () => finish(false);
    signal.addEventListener('abort', onAbort, { once: true });
    let buf = '';
    s.on('data', (d: Buffer) => { buf += d.toString('latin1'); if (buf.length >= 4) finish(buf.startsWith('SSH-')); });
    s.on('error', () => finish(false));
    s.on('close', () => finish(false));
  });
}
