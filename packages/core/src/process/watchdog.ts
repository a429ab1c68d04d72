import { spawn } from 'node:child_process';
import { readProcStat } from './holder.js';

/**
 * Every command started through the seam carries this variable; its value names the process that
 * started it. Children and grandchildren inherit it (git hooks, `git-receive-pack` of a local push,
 * cargo's test binaries), so "everything this process started" is one scan of /proc/*\/environ
 * even for processes that left the group or were reparented to init.
 */
export const PROCESS_TOKEN_ENV = 'REBASE_DAILY_PROCESS_TOKEN';

let token: string | undefined;
/** This process's token: pid and start time (a reused pid gets another token). */
export function processToken(): string {
  token ??= `${process.pid}-${readProcStat(process.pid)?.startTime ?? Date.now()}`;
  return token;
}

/**
 * The watchdog: a tiny `sh` in its own session, reading a pipe from this process. When this process
 * ends — normally, or killed with SIGKILL, alone or with its whole process group — the pipe reaches
 * EOF and the watchdog SIGKILLs every process still carrying this process's token, a few rounds in
 * case one forked meanwhile, then exits. Without it, each command's own process group (needed so a
 * timeout kills its grandchildren) outlives a killed run: an orphaned `git push` once completed a
 * minute after its run had died. Linux only (it reads /proc); elsewhere children are on their own.
 */
const WATCHDOG_SCRIPT = `
while read -r _; do :; done
n=0
while [ $n -lt 5 ]; do
  pids=$(grep -lsxzF "${PROCESS_TOKEN_ENV}=$1" /proc/[0-9]*/environ | cut -d/ -f3 | grep -vx "$$")
  [ -z "$pids" ] && exit 0
  kill -KILL $pids 2>/dev/null
  n=$((n + 1))
  sleep 0.05
done
`;

let watchdogPid: number | null | undefined;

/** Start the watchdog once per process (idempotent); returns its pid, or null where there is none. */
export function ensureWatchdog(): number | null {
  if (watchdogPid !== undefined) return watchdogPid;
  if (process.platform !== 'linux') return (watchdogPid = null);
  const env = { ...process.env };
  delete env[PROCESS_TOKEN_ENV];
  try {
    const child = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, 'rebase-daily-watchdog', processToken()], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env });
    child.on('error', () => undefined);
    child.stdin?.on('error', () => undefined);
    // Neither the watchdog nor its pipe keeps this process alive; the pipe closes when it exits.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    watchdogPid = child.pid ?? null;
  } catch {
    watchdogPid = null;
  }
  return watchdogPid;
}
