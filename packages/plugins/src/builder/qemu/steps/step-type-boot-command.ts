import { formatGoDuration, halt, render, waitFor, type InterpolateContext, type Step, type StepAction, type StateBag } from '@packer-ts/sdk';
import { VncClient, VncHandshakeError } from '../../../common/vnc.ts';
import { keyInterval, parseBootCommand, typeBootCommand } from '../../../common/bootcommand.ts';
import { cfg, ui } from './state.ts';

export class StepTypeBootCommand implements Step {
  readonly name = 'stepTypeBootCommand';
  constructor(private ctx: InterpolateContext, private debug: boolean) {}
  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const c = cfg(state);
    const u = ui(state);
    if (c.disableVnc) return 'continue';
    if (c.bootWait > 0) {
      u.say(`Waiting ${formatGoDuration(c.bootWait * 1e6)} for boot...`);
      if (!(await waitFor(c.bootWait, signal))) return 'halt';
    }
    const port = state.need<number>('vnc_port');
    const password = (state.get('vnc_password') as string | undefined) || undefined;
    u.say(`Connecting to VM via VNC (${c.vncBindAddress}:${port})`);
    let client: VncClient | undefined;
    // QEMU opens its VNC server a few ms after it started
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        client = await VncClient.connect(c.vncBindAddress, port, { shared: true, password, signal });
        break;
      } catch (e) {
        if (signal.aborted) return 'halt';
        if (e instanceof VncHandshakeError) return halt(state, new Error(`Error handshaking with VNC: ${e.message}`), u);
        if (Date.now() > deadline || !/ECONNREFUSED/.test(String((e as Error).message))) {
          return halt(state, new Error(`Error connecting to VNC: ${(e as Error).message}`), u);
        }
        await waitFor(50, signal);
      }
    }
    try {
      u.say('Typing the boot command over VNC...');
      let command: string;
      try {
        command = render(c.bootCommand.join(''), {
          ...this.ctx,
          data: { HTTPIP: String(state.get('http_ip') ?? ''), HTTPPort: Number(state.get('http_port') ?? 0), Name: c.vmName },
        });
      } catch (e) {
        return halt(state, new Error(`Error preparing boot command: ${(e as Error).message}`), u);
      }
      try {
        await typeBootCommand(parseBootCommand(command), client, keyInterval(c.bootKeyInterval), signal);
      } catch (e) {
        if (signal.aborted) return 'halt';
        return halt(state, new Error(`Error running boot command: ${(e as Error).message}`), u);
      }
      if (this.debug) await u.ask(`Pausing after run of step 'boot_command: ${command}'. Press enter to continue.`).catch(() => '');
      return 'continue';
    } finally {
      client.close();
    }
  }
}
