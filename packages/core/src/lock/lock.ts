import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { bootId, holderLiveness, readProcStat, type Liveness } from '../process/holder.js';
import { redactDeep } from '../process/redact.js';

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
  /** Start time of `ownerPid` (field 22 of /proc/<pid>/stat): a reused pid has another. */
  ownerStartTime?: string | null;
  /** The kernel boot id when the lock was taken: after a reboot no holder can be alive. */
  bootId?: string | null;
  /** Set for a hold taken by `rebase-daily lock` (manual work): no process keeps it, `unlock` ends it. */
  manual?: { reason: string; user: string };
  /**
   * Set (with `manual`) for a hold of kind `resolve`: taken by `rebase-daily resolve start`, ended
   * by `resolve finish` or `resolve abort` — never by `unlock`, which would orphan the resolution.
   */
  resolve?: { id: string; worktree: string; authorisedBy: string | null };
}

/** A lock whose holder was dead on this host, taken over by the next run. */
export interface LockTakeover {
  previous: LockMeta;
  reason: string;
}

export type AcquireResult =
  | { acquired: true; override: null | { previous: LockMeta | null; ageHours: number }; takenOver: LockTakeover | null }
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

/** Is `pid` alive on this host (a zombie is not)? null when the holder is on another host (we cannot know). */
export function pidAlive(pid: number, host: string): boolean | null {
  return holderLiveness({ hostname: host, pid }).alive;
}

/** The identity fields a lock holder records for `ownerPid` (see holder.ts). */
export function holderIdentity(ownerPid: number): Pick<LockMeta, 'ownerStartTime' | 'bootId'> {
  return { ownerStartTime: readProcStat(ownerPid)?.startTime ?? null, bootId: bootId() };
}

/**
 * Is the run holding this lock still alive? null for a manual hold (no process keeps it) and for a
 * holder on another host; both go by the stale rule only.
 */
export function lockHolderLiveness(holder: LockMeta): Liveness {
  if (holder.manual) return { alive: null, reason: 'a manual hold (no process keeps it)' };
  return holderLiveness({ hostname: holder.hostname, pid: holder.ownerPid ?? holder.pid, startTime: holder.ownerStartTime, bootId: holder.bootId });
}

/**
 * How old the lock is, in hours: from its holder's `startedAt`, else (no meta.json, or a date that
 * does not parse) from the lock directory's mtime; never negative (a clock behind the holder's).
 * The one age every reader uses — acquisition, `status`, `doctor` — so they agree on "stale".
 */
export function lockAgeHours(lockDir: string, meta: LockMeta | null, now: Date = new Date()): number {
  const started = meta?.startedAt ? Date.parse(meta.startedAt) : NaN;
  const since = Number.isFinite(started) ? started : statSync(lockDir).mtimeMs;
  return Math.max(0, (now.getTime() - since) / 3_600_000);
}

/** The lock's age and whether it is stale (`staleAfterHours` or older); see lockAgeHours. */
export function lockAge(lockDir: string, meta: LockMeta | null, staleAfterHours: number, now: Date = new Date()): { ageHours: number; stale: boolean } {
  const ageHours = lockAgeHours(lockDir, meta, now);
  return { ageHours, stale: ageHours >= staleAfterHours };
}

/**
 * Create the lock directory with its meta.json in one step: the meta is written into a private
 * directory that is then renamed into place, so a run killed at any moment never leaves a lock
 * without its holder's identity. rename(2) fails when the lock exists (and is not empty).
 */
function createLock(lockDir: string, meta: LockMeta): boolean {
  const draft = join(dirname(lockDir), `.${basename(lockDir)}.new-${process.pid}-${randomUUID()}`);
  mkdirSync(draft);
  try {
    // meta.json is read by status, doctor and every refused run's report: a token in a `lock --reason` stays out.
    writeFileSync(join(draft, 'meta.json'), `${JSON.stringify(redactDeep(meta), null, 2)}\n`);
    renameSync(draft, lockDir);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
    return false;
  } finally {
    rmSync(draft, { recursive: true, force: true });
  }
}

/** How long a breaker may hold `<lock>.breaking` before any run treats it as left by a crash (breaking takes milliseconds). */
export const BREAK_GUARD_STALE_MS = 60_000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Remove a guard whose breaker is gone (dead on this host, or holding it for over a minute): moved
 * aside first and deleted only if it is still the guard judged; otherwise put back.
 */
function clearDeadGuard(guard: string, now: Date): void {
  const holder = readLockMeta(guard);
  // A guard gone already has no age (NaN): judged by its holder only, and the rename below fails.
  const ageMs = now.getTime() - (statSync(guard, { throwIfNoEntry: false })?.mtimeMs ?? NaN);
  const dead = (holder ? lockHolderLiveness(holder).alive === false : false) || ageMs > BREAK_GUARD_STALE_MS;
  if (!dead) return;
  const aside = `${guard}.dead-${now.getTime()}-${process.pid}`;
  try {
    renameSync(guard, aside);
  } catch {
    return;
  }
  const moved = readLockMeta(aside);
  if ((moved?.runId ?? null) !== (holder?.runId ?? null)) {
    try {
      renameSync(aside, guard); // a newer breaker's guard: put it back
    } catch {
      // Only reachable when a breaker was killed inside its millisecond window and, in the same
      // instant, three more runs race for the lock: the one race left open, documented in lock.ts's tests.
    }
    return;
  }
  rmSync(aside, { recursive: true });
}

/**
 * Run `fn` as the one breaker of `lockDir`: every removal of the lock (breaking a dead or stale
 * holder's lock, a run releasing its own, unlock) happens while holding `<lock>.breaking`, a
 * sibling directory created atomically like the lock. So the lock a breaker judged cannot be
 * removed and replaced by another run between the judgement and the removal: while the lock
 * exists nobody can create it, and nobody else may remove it. Returns null when another live
 * breaker holds the guard for longer than `waitMs`.
 */
function underBreakGuard<T>(lockDir: string, waitMs: number, fn: () => T): T | null {
  const guard = `${lockDir}.breaking`;
  const meta: LockMeta = { runId: `breaker-${process.pid}-${randomUUID()}`, pid: process.pid, ownerPid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), command: 'break-lock', shas: {}, ...holderIdentity(process.pid) };
  const until = Date.now() + waitMs;
  for (;;) {
    clearDeadGuard(guard, new Date());
    if (createLock(guard, meta)) break;
    if (Date.now() >= until) return null;
    sleepSync(5);
  }
  try {
    return fn();
  } finally {
    if (readLockMeta(guard)?.runId === meta.runId) rmSync(guard, { recursive: true });
  }
}

/**
 * Delete a lock — only if it is still the one judged (same run id): a run that took the lock over
 * in between must keep it. Done under the break guard, so "still the one judged" stays true until
 * it is gone. Returns false when the lock was not removed.
 */
function breakLock(lockDir: string, judged: LockMeta | null, tag: string, now: Date = new Date(), waitMs = 2_000): boolean {
  return underBreakGuard(lockDir, waitMs, () => removeIfStill(lockDir, judged?.runId ?? null, tag, now)) ?? false;
}

/**
 * Remove the lock if it is still run `runId`'s: moved aside first, then deleted — never deleted in
 * place, where the emptied directory could take another run's fresh lock (a rename onto an empty
 * directory succeeds) just before the recursive delete reaches it.
 */
function removeIfStill(lockDir: string, runId: string | null, tag: string, now: Date): boolean {
  // Taken over in between: another run's meta.json. Gone already: no meta.json, and the rename below
  // fails. A lock whose meta.json cannot be read is no other run's (a run's lock appears with its
  // meta.json in place, see createLock), so it goes.
  const meta = readLockMeta(lockDir);
  if (meta && meta.runId !== runId) return false;
  const aside = `${lockDir}.${tag}-${now.getTime()}-${process.pid}`;
  try {
    renameSync(lockDir, aside);
  } catch {
    return false; // the aside name is taken (a leftover of an earlier break at this very millisecond): refuse, change nothing
  }
  rmSync(aside, { recursive: true });
  return true;
}

/**
 * Take the exclusive lock. A held lock is refused with who holds it, since when, and whether that
 * process is alive — unless its holder is dead on this host (pid gone, pid reused, a zombie, or a
 * reboot since): then it is taken over and the takeover returned for the report. A live holder, a
 * holder on another host and a manual hold go by the stale rule: broken only with forceStale.
 */
export function acquireLock(options: AcquireOptions): AcquireResult {
  const { lockDir, staleAfterHours, forceStale } = options;
  const now = options.now ?? new Date();
  const meta: LockMeta = { ...holderIdentity(options.meta.ownerPid ?? options.meta.pid), ...options.meta };
  mkdirSync(dirname(lockDir), { recursive: true });
  let override: { previous: LockMeta | null; ageHours: number } | null = null;
  let takenOver: LockTakeover | null = null;
  // One break at most (a dead holder's lock, or a stale one with forceStale); a lock that vanishes
  // between a failed create and the look at it (its run released it, another run broke it) is
  // simply created again — a few times at most, then refused.
  let broke = false;
  for (let look = 0; look < 5; look++) {
    if (createLock(lockDir, meta)) return { acquired: true, override, takenOver };
    const holder = readLockMeta(lockDir);
    const age = ageIfPresent(lockDir, holder, staleAfterHours, now);
    if (!age) continue;
    const { ageHours, stale } = age;
    let alive: boolean | null = null;
    if (holder) {
      const liveness = lockHolderLiveness(holder);
      alive = liveness.alive;
      if (alive === false && !broke) {
        broke = true;
        if (breakLock(lockDir, holder, 'dead', now)) takenOver = { previous: holder, reason: liveness.reason };
        continue;
      }
      if (alive === false) {
        // Dead, yet not broken: another run held the break guard throughout and is taking it over now.
        return { acquired: false, holder, ageHours, stale, pidAlive: false, message: `lock ${lockDir}: its holder, ${describeRunHolder(holder)}, is dead (${liveness.reason}) and another run is taking the lock over right now; rerun in a minute` };
      }
    }
    if (!broke && stale && forceStale) {
      broke = true;
      if (breakLock(lockDir, holder, 'broken', now)) override = { previous: holder, ageHours };
      continue;
    }
    return { acquired: false, holder, ageHours, stale, pidAlive: alive, message: lockTakenMessage(lockDir, holder, ageHours, stale, alive, staleAfterHours, forceStale) };
  }
  const holder = readLockMeta(lockDir);
  return { acquired: false, holder, ageHours: 0, stale: false, pidAlive: null, message: `lock ${lockDir} kept changing hands while this run tried to take it (other runs are starting or breaking it); rerun later` };
}

/** lockAge of a lock that may have been removed since it was seen: null when it is gone. */
function ageIfPresent(lockDir: string, holder: LockMeta | null, staleAfterHours: number, now: Date): { ageHours: number; stale: boolean } | null {
  try {
    return lockAge(lockDir, holder, staleAfterHours, now);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** "run <id> (pid <pid> on <host>, <command>) since <time>": who holds a run's lock. */
function describeRunHolder(holder: LockMeta): string {
  // Another host's (or an older version's) meta may lack a field: leave it out, never print "undefined".
  const has = (v: unknown) => v !== undefined && v !== null && v !== '';
  const pid = holder.ownerPid ?? holder.pid;
  const where = [has(pid) ? `pid ${pid}` : null, has(holder.hostname) ? `on ${holder.hostname}` : null].filter(Boolean).join(' ');
  const about = [where || null, has(holder.command) ? holder.command : null].filter(Boolean).join(', ');
  return `run ${has(holder.runId) ? holder.runId : '(no run id)'}${about ? ` (${about})` : ''}${has(holder.startedAt) ? ` since ${holder.startedAt}` : ''}`;
}

function lockTakenMessage(lockDir: string, holder: LockMeta | null, ageHours: number, stale: boolean, alive: boolean | null, staleAfter: number, forced: boolean): string {
  const who = holder?.resolve
    ? `a conflict resolution (${holder.resolve.id}) of ${holder.manual?.user ?? 'unknown'} on ${holder.hostname ?? 'an unknown host'} since ${holder.startedAt ?? 'an unknown time'}, worktree ${holder.resolve.worktree}; it ends with \`rebase-daily resolve finish\` or \`rebase-daily resolve abort\``
    : holder?.manual
    ? `a manual session of ${holder.manual.user ?? 'unknown'} on ${holder.hostname ?? 'an unknown host'} ("${holder.manual.reason ?? ''}") since ${holder.startedAt ?? 'an unknown time'}; it ends with \`rebase-daily unlock\``
    : holder
      ? describeRunHolder(holder)
      : `an unknown run (no meta.json) for ${ageHours.toFixed(1)} h`;
  const life = alive === true ? '; that process is still running' : holder && !holder.manual ? `; it runs on ${holder.hostname ? `another host (${holder.hostname})` : 'a host its lock does not name'}, so this host cannot tell whether it is alive` : '';
  const next = stale
    ? `it is stale (${staleAfter} h or older): rerun with FORCE_STALE_LOCK=1 to break it (recorded in the report)`
    : holder?.manual
      ? `it becomes stale after ${staleAfter} h${forced ? ' (FORCE_STALE_LOCK never breaks a fresh lock)' : ''}; wait until that session ends it`
      : `it becomes stale after ${staleAfter} h${forced ? ' (FORCE_STALE_LOCK never breaks a fresh lock)' : ''}; wait for it to finish, or if it crashed, rerun with FORCE_STALE_LOCK=1 once it is stale`;
  return `lock held by ${who}${life}; ${next}`;
}

/** Release the lock if (and only if) it is ours. */
export function releaseLock(lockDir: string, runId: string): boolean {
  const release = () => removeIfStill(lockDir, runId, 'released', new Date());
  // A breaker holds the guard for milliseconds; after 5 s of a live one, release anyway (it is our own lock).
  return underBreakGuard(lockDir, 5_000, release) ?? release();
}

export type ReleaseHoldResult =
  | { released: true; holder: LockMeta; dead?: string }
  | { released: false; reason: 'free' }
  | { released: false; reason: 'run' | 'resolve'; holder: LockMeta | null; message: string };

/**
 * `rebase-daily unlock`: end a hold taken by `rebase-daily lock`, or remove the lock of a run whose
 * holder is dead on this host (the same judgement the next run makes). A live run's lock, or one
 * from another host, belongs to its run: it ends with the run, or goes by the stale rule.
 */
export function releaseManualHold(lockDir: string): ReleaseHoldResult {
  if (!existsSync(lockDir)) return { released: false, reason: 'free' };
  const holder = readLockMeta(lockDir);
  if (holder?.resolve) {
    return { released: false, reason: 'resolve', holder, message: `lock held by the conflict resolution ${holder.resolve.id} (worktree ${holder.resolve.worktree}); end it with \`rebase-daily resolve finish\` or \`rebase-daily resolve abort\`, not unlock` };
  }
  if (holder && !holder.manual) {
    const liveness = lockHolderLiveness(holder);
    if (liveness.alive === false) {
      if (breakLock(lockDir, holder, 'dead')) return { released: true, holder, dead: liveness.reason };
      return { released: false, reason: 'run', holder, message: `lock held by ${describeRunHolder(holder)}, which is dead (${liveness.reason}), but another run is taking the lock over right now; run \`rebase-daily status\` in a minute` };
    }
  }
  if (!holder?.manual) {
    const who = holder ? describeRunHolder(holder) : 'an unknown run (no meta.json)';
    return { released: false, reason: 'run', holder, message: `lock held by ${who}, not by a manual session and not by a dead process; unlock only ends a hold taken by \`rebase-daily lock\` or the lock of a run that died on this host — wait for the run to end (see the runbook, exit 15)` };
  }
  const gone = breakLock(lockDir, holder, 'unlocked', new Date(), 5_000);
  if (!gone) return { released: false, reason: 'run', holder, message: `lock ${lockDir} changed while unlocking (another run is breaking or taking it); run \`rebase-daily status\` and retry` };
  return { released: true, holder };
}
