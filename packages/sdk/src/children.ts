/**
 * Long-lived child processes that must not outlive this process.
 *
 * Anything that spawns a child in its own process group (`detached: true`) and may leave it running
 * for a while (plugin processes, local shell commands) records the group here and forgets it once
 * the child exited. Two safety nets then cover every way this process can end:
 *  - on 'exit' (normal end, process.exit, uncaught error) every recorded group gets SIGKILL;
 *  - for SIGKILL of this process, which runs no code, a watchdog: a tiny detached `sh` (no second
 *    node process) started on the first trackChildGroup(). It ignores INT/TERM/HUP and reads
 *    `+PGID` / `-PGID` lines from its stdin; at EOF (this process is gone, whatever the cause) it
 *    sends SIGTERM to every group still recorded, waits up to ~2 s for them to go, then SIGKILL.
 *
 * Public API
 *   prepareChildGroups()      starts the watchdog (and the exit hook) now: call it before spawning
 *                             a child to be tracked, so that no SIGKILL lands between the child's
 *                             start and the watchdog's
 *   trackChildGroup(pgid)     records a process group (the pid of a child spawned with detached: true)
 *   untrackChildGroup(pgid)   forgets it (call when the child exited)
 *   trackedChildGroups(): number[]
 *   killChildGroup(pgid, signal = 'SIGKILL'): boolean   signals a group, false when it is gone
 *   killTrackedChildGroups(signal = 'SIGKILL')          signals every recorded group
 *   watchdogPid(): number | undefined                   the watchdog's pid once started (tests)
 * PACKER_TS_NO_WATCHDOG=1 disables the watchdog (the 'exit' handler stays).
 */
import type { ChildProcess } from 'node:child_process';

const groups = new Set<number>();
let watchdog: ChildProcess | undefined;
let watchdogFailed = false;
let exitHookInstalled = false;

// Group ids are kept as " 12 34 " so that removal is plain parameter expansion (no sed, no fork).
const WATCHDOG_SCRIPT = `trap '' INT TERM HUP
g=' '
while IFS= read -r l; do
  case "$l" in
    +*) g="$g\${l#+} " ;;
    -*) p=\${l#-}; case "$g" in *" $p "*) g="\${g%% $p *} \${g#* $p }" ;; esac ;;
  esac
done
[ "$g" = ' ' ] && exit 0
for p in $g; do kill -TERM -$p 2>/dev/null; done
i=0
while [ $i -lt 10 ]; do
  alive=
  for p in $g; do kill -0 -$p 2>/dev/null && alive=1; done
  [ -z "$alive" ] && exit 0
  sleep 0.2 2>/dev/null || sleep 1
  i=$((i+1))
done
for p in $g; do kill -KILL -$p 2>/dev/null; done
exit 0
`;

function startWatchdog(): void {
  if (watchdog || watchdogFailed || process.platform === 'win32' || process.env.PACKER_TS_NO_WATCHDOG === '1') return;
  try {
    // node:child_process loads on first use: processes that never spawn do not pay for it.
    watchdog = process.getBuiltinModule('node:child_process').spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  } catch {
    watchdogFailed = true;
    return;
  }
  watchdog.on('error', () => { watchdogFailed = true; watchdog = undefined; });
  watchdog.stdin!.on('error', () => { /* the watchdog went away: nothing to do */ });
  // Neither the process nor its pipe may keep this process alive.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void }).unref?.();
  const known = [...groups].map((g) => `+${g}\n`).join('');
  if (known) watchdog.stdin!.write(known);
}

function tell(line: string): void {
  const w = watchdog;
  if (!w || !w.stdin || w.stdin.destroyed) return;
  w.stdin.write(line);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => killTrackedChildGroups('SIGKILL'));
}

export function prepareChildGroups(): void {
  installExitHook();
  startWatchdog();
}

export function trackChildGroup(pgid: number | undefined): void {
  if (pgid === undefined || pgid <= 0 || groups.has(pgid)) return;
  groups.add(pgid);
  installExitHook();
  if (watchdog) tell(`+${pgid}\n`);
  else startWatchdog();
}

export function untrackChildGroup(pgid: number | undefined): void {
  if (pgid === undefined || !groups.delete(pgid)) return;
  tell(`-${pgid}\n`);
}

export function trackedChildGroups(): number[] { return [...groups]; }

export function killChildGroup(pgid: number, signal: NodeJS.Signals = 'SIGKILL'): boolean {
  try {
    process.kill(process.platform === 'win32' ? pgid : -pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export function killTrackedChildGroups(signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const g of groups) killChildGroup(g, signal);
}

export function watchdogPid(): number | undefined { return watchdog?.pid; }
