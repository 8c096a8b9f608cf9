/** `packer-ts build`: runs the builds of a template in parallel (command/build.go). */
import { errorMessage, fileError, formatDuration, since, withSpanRecorder, type Artifact, type Ui } from '@packer-ts/sdk';
import { BUILD_COLORS, ColoredUi, isHcl2Path, TargetedUi, Timeline, TimestampedUi, writeTimeline, type CoreBuild } from '@packer-ts/core';
import { log } from '@packer-ts/sdk';
import { FlagSet } from '../flags.ts';
import { diagnostic, MetaArgs, type Meta, parseFlags } from '../meta.ts';
import { loadCore } from '../json-template.ts';

export const buildHelp = `Usage: packer build [options] TEMPLATE

  Will execute multiple builds in parallel as defined in the template.
  The various artifacts created by the template will be outputted.

Options:

  -color=false                  Disable color output. (Default: color)
  -debug                        Debug mode enabled for builds.
  -except=foo,bar,baz           Run all builds and post-processors other than these.
  -only=foo,bar,baz             Build only the specified builds.
  -force                        Force a build to continue if artifacts exist, deletes existing artifacts.
  -machine-readable             Produce machine-readable output.
  -on-error=[cleanup|abort|ask|run-cleanup-provisioner] If the build fails do: clean up (default), abort, ask, or run-cleanup-provisioner.
  -parallel-builds=1            Number of builds to run in parallel. 1 disables parallelization. 0 means no limit (Default: 0)
  -timeline=FILE.html           Write a timeline of the builds' steps, provisioners and post-processors (packer-ts).
  -timestamp-ui                 Enable prefixing of each ui output with an RFC3339 timestamp.
  -var 'key=value'              Variable for templates, can be used multiple times.
  -var-file=path                JSON or HCL2 file containing user variables.`;

const ON_ERROR = ['cleanup', 'abort', 'ask', 'run-cleanup-provisioner'];

export async function buildCommand(meta: Meta, argv: string[]): Promise<number> {
  const args = new MetaArgs();
  let color = true;
  let debug = false;
  let force = false;
  let timestampUi = false;
  let parallel = 0;
  let onError = 'cleanup';
  let timelinePath = '';
  const flags = new FlagSet();
  args.addVarFlags(flags);
  args.addFilterFlags(flags);
  args.addSequentialFlag(flags);
  args.addPrereleaseFlag(flags);
  // Packer 1.16's: packer-ts warns of a var file's undeclared variables as Packer 1.6.6 always
  // does; -skip-enforcement is about HCP Packer's build policies, which packer-ts has none of
  flags.bool('warn-on-undeclared-var', () => {});
  flags.bool('skip-enforcement', () => {});
  flags.bool('color', (v) => { color = v; })
    .bool('debug', (v) => { debug = v; })
    .bool('force', (v) => { force = v; })
    .bool('timestamp-ui', (v) => { timestampUi = v; })
    .value('timeline', (v) => { timelinePath = v; })
    .int('parallel-builds', (v) => { parallel = v; })
    .bool('parallel', () => {})
    .value('on-error', (v) => {
      // Packer's enumflag: fmt.Errorf("expected one of %q", options)
      if (!ON_ERROR.includes(v)) throw new Error(`expected one of [${ON_ERROR.map((o) => JSON.stringify(o)).join(' ')}]`);
      onError = v;
    });
  const stop = parseFlags(meta, flags, argv, buildHelp);
  if (stop !== undefined) return stop;
  args.path = flags.args[0]!;
  if (parallel < 1) parallel = Infinity;

  if (isHcl2Path(args.path)) {
    const { buildsFromHcl2 } = await import('../hcl2.ts');
    const r = await buildsFromHcl2(meta, args, { debug, force, onError });
    if (!r) return 1;
    const code = await runBuilds(meta, r.builds, { color, debug, force, onError, timestampUi, parallel, timelinePath });
    return code !== 0 ? code : r.ret;
  }

  const loaded = await loadCore(meta, args);
  if (!loaded) return 1;
  const { core } = loaded;

  // Packer's Core.GetBuilds: each build instantiated and prepared; those that fail are
  // reported (with the warnings, in order, as one block) and the others still run.
  const names = core.buildNames(args.only, args.except);
  const builds: CoreBuild[] = [];
  let diags = '';
  let failed = false;
  for (const name of names) {
    let b: CoreBuild;
    try {
      b = await core.build(name, { debug, force, onError });
    } catch (e) {
      diags += diagnostic('Error', `Failed to initialize build "${name}"`, errorMessage(e));
      failed = true;
      continue;
    }
    log(`Preparing build: ${name}`);
    try {
      const warnings = await b.prepare();
      builds.push(b);
      for (const w of warnings) diags += diagnostic('Warning', `Warning when preparing build: "${name}"`, w);
    } catch (e) {
      diags += diagnostic('Error', `Failed to prepare build: "${name}"`, errorMessage(e));
      failed = true;
    }
  }
  if (diags) {
    if (failed) meta.ui.error(diags); else meta.ui.say(diags);
  }
  const code = await runBuilds(meta, builds, { color, debug, force, onError, timestampUi, parallel, timelinePath });
  return code !== 0 ? code : failed ? 1 : 0;
}

export interface RunOptions {
  color: boolean;
  debug: boolean;
  force: boolean;
  onError: string;
  timestampUi: boolean;
  /** Infinity: no limit. */
  parallel: number;
  timelinePath: string;
}

/** Runs prepared builds in parallel, then lists errors and artifacts (BuildCommand.RunContext after GetBuilds). */
export async function runBuilds(meta: Meta, builds: CoreBuild[], opts: RunOptions): Promise<number> {
  const { color, debug, force, onError, timestampUi, parallel, timelinePath } = opts;
  if (debug) meta.ui.say('Debug mode enabled. Builds will not be parallelized.');

  const buildUis = new Map<CoreBuild, Ui>();
  builds.forEach((b, i) => {
    let ui = meta.ui;
    if (color && !meta.machineReadable) {
      ui = new ColoredUi(BUILD_COLORS[i % BUILD_COLORS.length]!, ui);
      ui.say(`${b.name}: output will be in this color.`);
      if (i + 1 === builds.length) meta.ui.say('');
    }
    if (timestampUi) ui = new TimestampedUi(ui);
    buildUis.set(b, ui);
  });
  log(`Build debug mode: ${debug}`);
  log(`Force build: ${force}`);
  log(`On error: ${onError}`);

  const timeline = timelinePath ? new Timeline() : undefined;
  const start = process.hrtime.bigint();
  const artifacts = new Map<string, (Artifact | undefined)[]>();
  const errors = new Map<string, Error>();
  const limit = debug ? 1 : parallel;
  let running = 0;
  const waiters: (() => void)[] = [];
  const tasks: Promise<void>[] = [];
  for (const b of builds) {
    if (meta.signal.aborted) { log('Interrupted, not going to start any more builds.'); break; }
    if (running >= limit) await new Promise<void>((r) => waiters.push(r));
    if (meta.signal.aborted) break;
    running++;
    const ui = buildUis.get(b)!;
    tasks.push((async () => {
      const t0 = process.hrtime.bigint();
      log(`Starting build run: ${b.name}`);
      const recorder = timeline?.build(b.name, b.o.builderType);
      const result = await withSpanRecorder(recorder, () => b.run(ui, meta.signal));
      const took = formatDuration(since(t0));
      if (result.error) {
        ui.error(`Build '${b.name}' errored after ${took}: ${errorMessage(result.error)}`);
        errors.set(b.name, result.error);
        recorder?.finish('failed');
      } else if (meta.signal.aborted && result.artifacts.length === 0) {
        ui.error(`Build '${b.name}' errored after ${took}: build was cancelled`);
        errors.set(b.name, new Error('build was cancelled'));
        recorder?.finish('cancelled');
      } else {
        ui.say(`Build '${b.name}' finished after ${took}.`);
        artifacts.set(b.name, result.artifacts);
        recorder?.finish('ok');
      }
      running--;
      waiters.shift()?.();
    })());
  }
  await Promise.all(tasks);
  meta.ui.say(`\n==> Wait completed after ${formatDuration(since(start))}`);
  let timelineFailed = false;
  if (timeline) {
    try {
      await writeTimeline(timelinePath, timeline.data());
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code ? fileError(e, timelinePath).message : errorMessage(e);
      meta.ui.error(`Error writing the timeline ${timelinePath}: ${why}`);
      timelineFailed = true;
    }
  }
  if (meta.signal.aborted) {
    meta.ui.say('Cleanly cancelled builds after being interrupted.');
    return 1;
  }
  if (errors.size > 0) {
    meta.ui.machine('error-count', String(errors.size));
    meta.ui.error("\n==> Some builds didn't complete successfully and had errors:");
    for (const [name, err] of errors) {
      new TargetedUi(name, meta.ui).machine('error', errorMessage(err));
      meta.ui.error(`--> ${name}: ${errorMessage(err)}`);
    }
  }
  if (artifacts.size > 0) {
    meta.ui.say('\n==> Builds finished. The artifacts of successful builds are:');
    for (const [name, list] of artifacts) {
      const ui = new TargetedUi(name, meta.ui);
      ui.machine('artifact-count', String(list.length));
      for (const [i, a] of list.entries()) {
        const idx = String(i);
        let text = '<nothing>';
        if (a) {
          try {
            text = await a.string();
            ui.machine('artifact', idx, 'builder-id', await a.builderId());
            ui.machine('artifact', idx, 'id', await a.id());
            ui.machine('artifact', idx, 'string', text);
            const files = await a.files();
            ui.machine('artifact', idx, 'files-count', String(files.length));
            files.forEach((f, fi) => ui.machine('artifact', idx, 'file', String(fi), f));
          } catch (e) {
            text = `<error reading artifact: ${errorMessage(e)}>`;
          }
        } else ui.machine('artifact', idx, 'nil');
        ui.machine('artifact', idx, 'end');
        meta.ui.say(`--> ${name}: ${text}`);
      }
    }
  } else {
    meta.ui.say('\n==> Builds finished but no artifacts were created.');
  }
  return errors.size > 0 || timelineFailed ? 1 : 0;
}

