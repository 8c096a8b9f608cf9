/**
 * The qemu builder (Packer's `qemu`, builder id `transcend.qemu`): builds a
 * VM image with QEMU from an ISO or a disk image, reaching the guest over
 * user-mode networking with a forwarded SSH port, typing boot commands over
 * VNC. A list of steps on the multistep runner, as in Packer.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BasicArtifact, log, PackerError, runSteps, StateBag, StateCancelled, StateHalted, StepCleanupTempKeys, StepProvision,
  type Artifact, type Builder, type Hook, type InterpolateContext, type PackerConfig, type PrepareResult, type Step, type Ui,
} from '@packer-ts/sdk';
import { StepConnect } from '../../communicator/index.ts';
import { StepDownload } from '../../common/download.ts';
import { StepHTTPServer } from '../../common/http-server.ts';
import { prepareConfig, schema, type QemuConfig } from './config.ts';
import { objectSpec, type ObjectSpec } from '@packer-ts/sdk';
import { QemuDriver } from './driver.ts';
import {
  StepConfigureQMP, StepConfigureVNC, StepConvertDisk, StepCopyDisk, StepCreateCD, StepCreateDisk, StepCreateFloppy, StepHTTPIPDiscover,
  StepPortForward, StepPrepareOutputDir, StepResizeDisk, StepRun, StepSetISO, StepShutdown, StepTypeBootCommand,
  StepWaitGuestAddress, WatchVm,
} from './steps/index.ts';

export const BUILDER_ID = 'transcend.qemu';

/** Delays between SSH attempts: the guest is polled often so that a ready guest is reached at once. */
const SSH_RETRY_MS = 100;
const SSH_HANDSHAKE_RETRY_MS = 200;

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out.sort();
}

export class QemuBuilder implements Builder {
  configSpec(): ObjectSpec { return objectSpec(schema, { packerConfig: true }); }

  config!: QemuConfig;
  private packer!: PackerConfig;
  private ctx: InterpolateContext = {};

  async prepare(...raws: unknown[]): Promise<PrepareResult> {
    const p = prepareConfig(raws);
    this.config = p.config;
    this.packer = p.packer;
    this.ctx = p.ctx;
    return { generatedVars: [], warnings: p.warnings };
  }

  /** The steps of a build, in Packer's order. */
  steps(): Step[] {
    const c = this.config;
    return [
      c.isoSkipCache
        ? new StepSetISO(c.isoUrls)
        : new StepDownload({ urls: c.isoUrls, checksum: c.isoChecksum, description: 'ISO', extension: c.isoTargetExtension, targetPath: c.isoTargetPath, resultKey: 'iso_path' }),
      new StepPrepareOutputDir(this.packer.force),
      new StepCreateFloppy(c.floppyFiles, c.floppyDirs, c.floppyLabel),
      new StepCreateCD(c.cdFiles, c.cdLabel),
      new StepCreateDisk(),
      new StepCopyDisk(),
      new StepResizeDisk(),
      new StepHTTPIPDiscover(),
      new StepHTTPServer({ directory: c.httpDir, content: c.httpContent, portMin: c.httpPortMin, portMax: c.httpPortMax, bindAddress: c.httpBindAddress }),
      new StepPortForward(),
      new StepConfigureVNC(),
      new StepRun(this.ctx),
      new WatchVm(new StepConfigureQMP()),
      new WatchVm(new StepTypeBootCommand(this.ctx, this.packer.debug)),
      new WatchVm(new StepWaitGuestAddress()),
      new WatchVm(new StepConnect({
        config: c,
        host: () => c.sshHost || '127.0.0.1',
        sshPort: (state) => (state.get('commHostPort') as number | undefined) ?? 22,
        retryDelay: SSH_RETRY_MS,
        handshakeRetryDelay: SSH_HANDSHAKE_RETRY_MS,
      })),
      new WatchVm(new StepProvision()),
      new WatchVm(new StepCleanupTempKeys(c)),
      new StepShutdown(),
      new StepConvertDisk(),
    ];
  }

  async run(ui: Ui, hook: Hook, signal: AbortSignal): Promise<Artifact | undefined> {
    const c = this.config;
    const driver = new QemuDriver(c.qemuBinary);
    driver.log = (l) => log(`packer-builder-qemu: ${l}`);
    const state = new StateBag([
      ['config', c], ['debug', this.packer.debug], ['driver', driver], ['hook', hook], ['ui', ui],
    ]);
    try {
      await runSteps(this.steps(), state, signal, { packer: this.packer, ui });
    } finally {
      // Whatever happened, no VM outlives the build: -on-error=abort skips the cleanups (the
      // output directory stays for inspection) but the VM is stopped all the same.
      await driver.stop();
    }
    const err = state.error();
    if (err) throw err;
    if (state.has(StateCancelled)) throw new PackerError('CANCELLED', 'Build was cancelled.');
    if (state.has(StateHalted)) throw new Error('Build was halted.');
    const files = await walk(c.outputDir);
    const diskPaths = state.get('qemu_disk_paths') as string[] | undefined;
    return new BasicArtifact({
      builderId: BUILDER_ID,
      id: 'VM',
      files,
      string: `VM files in directory: ${c.outputDir}`,
      state: {
        generated_data: state.get('generated_data'),
        diskName: c.vmName,
        ...(diskPaths ? { diskPaths } : {}),
        diskType: c.format,
        diskSize: c.diskSize,
        domainType: c.accelerator,
      },
      destroy: async () => {
        const { rm } = await import('node:fs/promises');
        await rm(c.outputDir, { recursive: true, force: true });
      },
    });
  }
}
