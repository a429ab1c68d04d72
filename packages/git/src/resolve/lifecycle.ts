import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  acquireLock,
  type CommandLog,
  errors,
  loadResolveState,
  lockDirFor,
  type LockMeta,
  type Progress,
  readLockMeta,
  releaseLock,
  removeWorktree,
  type ResolvedConfig,
  resolveErrors,
  resolvePaths,
  type ResolveState,
  type Runner,
  saveResolveState,
  uninterruptible,
  writeJsonAtomic,
} from '@rebase-daily/core';
import { deleteBranch } from '../engine/git-ops.js';
import { removeRerereLink } from './rerere-memory.js';

/** What every resolve step gets: the process seam, the config, progress lines, who runs it. */
export interface ResolveEnv {
  run: Runner;
  config: ResolvedConfig;
  progress: Progress;
  user: string;
  /** How the operator invokes rebase-daily and the config flag, for the next commands printed. */
  cli: string;
  configFlag: string;
  /** The command log `run` writes to (handed to the validate stage). */
  log?: CommandLog;
}

/** The state in progress, and a `save` that writes it atomically. */
export interface Resolution {
  state: ResolveState;
  save(): void;
}

export function resolution(config: ResolvedConfig, state: ResolveState): Resolution {
  return { state, save: () => saveResolveState(config.scratchPath, state) };
}

/** The lock meta of a hold of kind `resolve`: a manual hold (no process keeps it) naming the resolution. */
export function resolveLockMeta(state: ResolveState): LockMeta {
  const reason = `conflict resolution ${state.id}${state.authorisedBy ? ` (authorised by ${state.authorisedBy})` : ''}`;
  return {
    runId: state.lockRunId,
    pid: process.pid,
    ownerPid: process.pid,
    hostname: hostname(),
    startedAt: state.startedAt,
    command: 'resolve',
    shas: state.pin ? { upstream: state.pin.upstream, trunk: state.pin.trunk, forkTrunk: state.pin.forkTrunk } : {},
    manual: { reason, user: state.user },
    resolve: { id: state.id, worktree: state.worktree ?? '(not created yet)', authorisedBy: state.authorisedBy },
  };
}

/** The resolution in progress, holding its lock (re-taken, with a warning, if it was broken meanwhile). Throws E_RESOLVE_NONE / E_LOCK_TAKEN. */
export function requireResolution(env: ResolveEnv): Resolution {
  const state = loadResolveState(env.config.scratchPath);
  if (!state) throw resolveErrors.none(env.configFlag);
  const r = resolution(env.config, state);
  const lockDir = lockDirFor(env.config.scratchPath);
  const meta = readLockMeta(lockDir);
  if (meta?.runId === state.lockRunId) return r;
  const taken = acquireLock({ lockDir, meta: resolveLockMeta(state), staleAfterHours: env.config.lock.staleAfterHours, forceStale: false });
  if (!taken.acquired) throw errors.lockTaken(taken.message, { holder: taken.holder });
  const warning = `the lock of resolution ${state.id} was gone (broken as stale, or removed by hand); re-took it — check that nothing moved ${env.config.trunk} meanwhile`;
  state.warnings.push(warning);
  env.progress.warn(warning);
  r.save();
  return r;
}

/**
 * Remove what the resolution recorded and nothing else: its worktree, its branch, its rerere link.
 * Returns one line per thing removed.
 */
export async function removeRecorded(env: ResolveEnv, r: Resolution): Promise<string[]> {
  const done: string[] = [];
  const { state } = r;
  const repo = env.config.repoPath;
  removeRerereLink(state, env.config, r.save);
  if (state.worktree) {
    const removed = await removeWorktree(uninterruptible(env.run), repo, state.worktree, { what: 'the resolution worktree' });
    if (removed.action) done.push(removed.action);
    state.worktree = null;
    r.save();
  }
  if (state.branch) {
    const d = await deleteBranch(env.run, repo, state.branch);
    if (d.exitCode === 0) done.push(`deleted the temporary branch ${state.branch}`);
    state.branch = null;
    r.save();
  }
  return done;
}

/**
 * Run one resolve step (`continue`, `finish`, `abort`) holding the step lock: the resolve lock is a
 * manual hold no process keeps, so without this two steps at once would both act (two finishes both
 * moving the trunk and pushing). A second step while one acts is refused with E_LOCK_TAKEN (exit 15)
 * before it reads or changes anything; a step that was killed leaves a lock of a dead process, which
 * the next step takes over (core's lock rules).
 */
export async function withResolveStep<T>(env: ResolveEnv, step: string, fn: () => Promise<T>): Promise<T> {
  const lockDir = resolvePaths(env.config.scratchPath).stepLock;
  const runId = `resolve-${step}-${process.pid}-${Date.now()}`;
  const meta: LockMeta = { runId, pid: process.pid, ownerPid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), command: `resolve ${step}`, shas: {} };
  const taken = acquireLock({ lockDir, meta, staleAfterHours: env.config.lock.staleAfterHours, forceStale: false });
  if (!taken.acquired) throw errors.lockTaken(`another \`resolve\` step is acting on the resolution now: ${taken.message}`, { holder: taken.holder });
  try {
    return await fn();
  } finally {
    releaseLock(lockDir, runId);
  }
}

/** End the resolution: archive its state under `resolve/history/<id>/`, remove the state file, release its lock. */
export function endResolution(env: ResolveEnv, r: Resolution, phase: 'published' | 'aborted'): string {
  r.state.phase = phase;
  const archive = resolvePaths(env.config.scratchPath, r.state.id).archive;
  writeJsonAtomic(`${archive}/state.json`, { ...r.state, updatedAt: new Date().toISOString() });
  rmSync(resolvePaths(env.config.scratchPath).state, { force: true });
  releaseLock(lockDirFor(env.config.scratchPath), r.state.lockRunId);
  return archive;
}
