import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';

/** What the lock holder writes into `<lock>/meta.json`. */
export interface LockMeta {
  runId: string;
  pid: number;
  /** The long-lived owner process (the Nx orchestrator when stages run as separate Nx tasks). */
  ownerPid: number;
  hostname: string;
  startedAt: string;
  command: string;
  shas: Record<string, string | null>;
  /** Set for a hold taken by `rebase-daily lock` (manual work): no process keeps it, `unlock` ends it. */
  manual?: { reason: string; user: string };
  /**
   * Set (with `manual`) for a hold of kind `resolve`: taken by `rebase-daily resolve start`, ended
   * by `resolve finish` or `resolve abort` — never by `unlock`, which would orphan the resolution.
   */
  resolve?: { id: string; worktree: string; authorisedBy: string | null };
}

export type AcquireResult =
  | { acquired: true; override: null | { previous: LockMeta | null; ageHours: number } }
  | { acquired: false; holder: LockMeta | null; ageHours: number; stale: boolean; pidAlive: boolean | null; message: string };

export interface AcquireOptions {
  lockDir: string;
  meta: LockMeta;
  staleAfterHours: number;
  /** FORCE_STALE_LOCK=1: break a lock older than staleAfterHours (never a fresh one). */
  forceStale: boolean;
  now?: Date;
}

export function lockDirFor(scratchPath: string): string {
  return join(scratchPath, 'locks', 'rebase-daily.lock');
}

export function readLockMeta(lockDir: string): LockMeta | null {
  try {
    return JSON.parse(readFileSync(join(lockDir, 'meta.json'), 'utf8')) as LockMeta;
  } catch {
    return null;
  }
}

/** Is `pid` alive on this host? null when the holder is on another host (we cannot know). */
export function pidAlive(pid: number, host: string): boolean | null {
  if (host !== hostname()) return null;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockAgeHours(lockDir: string, meta: LockMeta | null, now: Date): number {
  const started = meta?.startedAt ? Date.parse(meta.startedAt) : NaN;
  const since = Number.isFinite(started) ? started : statSync(lockDir).mtimeMs;
  return Math.max(0, (now.getTime() - since) / 3_600_000);
}

/**
 * Take the exclusive lock with an atomic `mkdir`. A held lock is refused with who holds it, since
 * when, and whether that pid is alive. A stale lock is broken only with forceStale, by renaming it
 * aside first so two forced runs can never both win.
 */
export function acquireLock(options: AcquireOptions): AcquireResult {
  const { lockDir, meta, staleAfterHours, forceStale } = options;
  const now = options.now ?? new Date();
  mkdirSync(dirname(lockDir), { recursive: true });
  let override: { previous: LockMeta | null; ageHours: number } | null = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
      return { acquired: true, override };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readLockMeta(lockDir);
    const ageHours = lockAgeHours(lockDir, holder, now);
    const stale = ageHours >= staleAfterHours;
    // A manual hold outlives the command that took it: its pid says nothing.
    const alive = holder && !holder.manual ? pidAlive(holder.ownerPid ?? holder.pid, holder.hostname) : null;
    if (stale && forceStale && attempt === 0) {
      const aside = `${lockDir}.broken-${now.getTime()}-${process.pid}`;
      try {
        renameSync(lockDir, aside);
        rmSync(aside, { recursive: true, force: true });
      } catch {
        // Another forced run broke it first; our mkdir below decides who wins.
      }
      override = { previous: holder, ageHours };
      continue;
    }
    return { acquired: false, holder, ageHours, stale, pidAlive: alive, message: lockTakenMessage(lockDir, holder, ageHours, stale, alive, staleAfterHours, forceStale) };
  }
  const holder = readLockMeta(lockDir);
  return { acquired: false, holder, ageHours: 0, stale: false, pidAlive: null, message: `lock ${lockDir} was taken by another run while breaking a stale lock; rerun later` };
}

/** "run <id> (pid <pid> on <host>, <command>) since <time>": who holds a run's lock. */
function describeRunHolder(holder: LockMeta): string {
  return `run ${holder.runId} (pid ${holder.ownerPid ?? holder.pid} on ${holder.hostname}, ${holder.command}) since ${holder.startedAt}`;
}

function lockTakenMessage(lockDir: string, holder: LockMeta | null, ageHours: number, stale: boolean, alive: boolean | null, staleAfter: number, forced: boolean): string {
  const who = holder?.resolve
    ? `a conflict resolution (${holder.resolve.id}) of ${holder.manual?.user ?? 'unknown'} on ${holder.hostname} since ${holder.startedAt}, worktree ${holder.resolve.worktree}; it ends with \`rebase-daily resolve finish\` or \`rebase-daily resolve abort\``
    : holder?.manual
    ? `a manual session of ${holder.manual.user} on ${holder.hostname} ("${holder.manual.reason}") since ${holder.startedAt}; it ends with \`rebase-daily unlock\``
    : holder
      ? describeRunHolder(holder)
      : `an unknown run (no meta.json) for ${ageHours.toFixed(1)} h`;
  const life = alive === false ? '; that process is not running (crashed run?)' : alive === true ? '; that process is still running' : '';
  const next = stale
    ? `it is stale (> ${staleAfter} h): rerun with FORCE_STALE_LOCK=1 to break it (recorded in the report)`
    : holder?.manual
      ? `it becomes stale after ${staleAfter} h${forced ? ' (FORCE_STALE_LOCK never breaks a fresh lock)' : ''}; wait until that session ends it`
      : `it becomes stale after ${staleAfter} h${forced ? ' (FORCE_STALE_LOCK never breaks a fresh lock)' : ''}; wait for it to finish, or if it crashed, remove ${lockDir} by hand after checking`;
  return `lock held by ${who}${life}; ${next}`;
}

/** Release the lock if (and only if) it is ours. */
export function releaseLock(lockDir: string, runId: string): boolean {
  const meta = readLockMeta(lockDir);
  if (!existsSync(lockDir) || (meta && meta.runId !== runId)) return false;
  rmSync(lockDir, { recursive: true, force: true });
  return true;
}

export type ReleaseHoldResult =
  | { released: true; holder: LockMeta }
  | { released: false; reason: 'free' }
  | { released: false; reason: 'run' | 'resolve'; holder: LockMeta | null; message: string };

/**
 * End a manual hold (`rebase-daily unlock`). Only a hold taken by `rebase-daily lock` is released:
 * a run's lock belongs to the run (it ends with it; a crashed run's goes by the stale rule).
 */
export function releaseManualHold(lockDir: string): ReleaseHoldResult {
  if (!existsSync(lockDir)) return { released: false, reason: 'free' };
  const holder = readLockMeta(lockDir);
  if (holder?.resolve) {
    return { released: false, reason: 'resolve', holder, message: `lock held by the conflict resolution ${holder.resolve.id} (worktree ${holder.resolve.worktree}); end it with \`rebase-daily resolve finish\` or \`rebase-daily resolve abort\`, not unlock` };
  }
  if (!holder?.manual) {
    const who = holder ? describeRunHolder(holder) : 'an unknown run (no meta.json)';
    return { released: false, reason: 'run', holder, message: `lock held by ${who}, not by a manual session; unlock only ends a hold taken by \`rebase-daily lock\` — wait for the run to end (see the runbook, exit 15)` };
  }
  rmSync(lockDir, { recursive: true, force: true });
  return { released: true, holder };
}
