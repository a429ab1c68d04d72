import { cleanLeftovers, errors, lockDirFor, loadResolveState, lsRemoteBranch, moveFailureError, readLockMeta, releaseLock, resolveErrors, settleMove, shortSha, type ResolveState } from '@rebase-daily/core';
import { endResolution, removeRecorded, requireResolution, type ResolveEnv } from './lifecycle.js';

export interface AbortResult {
  id: string | null;
  actions: string[];
  archive: string | null;
}

/**
 * `resolve abort`: undo a finish that moved local refs but published nothing (compare-and-swap
 * back to the pinned SHAs), remove the worktree, branch and rerere link the state records — nothing
 * else — and end the lock. Refuses when the fork already holds the resolution (finish completes it).
 */
export async function abortResolution(env: ResolveEnv): Promise<AbortResult> {
  const { config } = env;
  if (!loadResolveState(config.scratchPath)) {
    // An orphaned resolve hold (its state lost) is still this command's to end.
    const meta = readLockMeta(lockDirFor(config.scratchPath));
    if (meta?.resolve) {
      releaseLockOfResolve(env);
      return { id: meta.resolve.id, actions: [`released the lock of resolution ${meta.resolve.id} (no state left)`], archive: null };
    }
    return { id: null, actions: [], archive: null };
  }
  const r = requireResolution(env);
  const { state } = r;
  const actions: string[] = [];
  if (state.finish?.moved.length) {
    const trunkMove = state.finish.moved.find((m) => m.ref === `refs/heads/${config.trunk}`);
    if (trunkMove && config.push.enabled) {
      const remote = await lsRemoteBranch(env.run, config.repoPath, config.remotes.fork, config.trunk, config.push.timeoutSeconds * 1000);
      if (remote === undefined) throw errors.fetchFailed(config.remotes.fork, 'git ls-remote failed');
      if (remote === trunkMove.to) throw resolveErrors.alreadyPublished(`${config.remotes.fork}/${config.trunk}`);
    }
    actions.push(...(await undoMoves(env, state, r.save)));
  }
  // What a killed finish recorded making (a dedicated validation worktree): undone under the lock, as the next daily run would.
  actions.push(...(await cleanLeftovers(env.run, config, state.lockRunId)));
  actions.push(...(await removeRecorded(env, r)));
  const archive = endResolution(env, r, 'aborted');
  actions.push('ended the lock');
  return { id: state.id, actions, archive };
}

/**
 * Put back, newest first, the local refs finish moved — each a recorded step settled toward where
 * finish found it (core's `settleMove`: the ref by compare-and-swap and the worktree that has it
 * checked out, from whatever moment a crash interrupted the move at). A ref finish created is left.
 */
export async function undoMoves(env: ResolveEnv, state: ResolveState, save: () => void): Promise<string[]> {
  const done: string[] = [];
  const moved = state.finish?.moved ?? [];
  while (moved.length) {
    const m = moved[moved.length - 1]!;
    const branch = m.ref.replace(/^refs\/heads\//, '');
    if (m.from) {
      const settled = await settleMove(env.run, env.config.repoPath, { branch, from: m.from, to: m.to, reason: `rebase-daily resolve: put ${branch} back`, toward: 'from' });
      if (!settled.ok) throw moveFailureError(settled);
    }
    moved.pop();
    save();
    done.push(`put ${branch} back to ${shortSha(m.from, '(absent)')}`);
  }
  return done;
}

/** An orphaned resolve hold (its state file lost): only its own resolve commands may end it. */
function releaseLockOfResolve(env: ResolveEnv): void {
  const lockDir = lockDirFor(env.config.scratchPath);
  const meta = readLockMeta(lockDir);
  if (meta?.resolve) releaseLock(lockDir, meta.runId);
}
