import { cleanLeftovers, errors, lockDirFor, loadResolveState, lsRemoteBranch, readLockMeta, releaseLock, resolveErrors, type ResolveState } from '@rebase-daily/core';
import { endResolution, removeRecorded, requireResolution, type ResolveEnv } from './lifecycle.js';
import { casMoveBranch } from './move-branch.js';

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

/** Put back, newest first, the local refs finish moved; each by compare-and-swap from where finish put it. */
export async function undoMoves(env: ResolveEnv, state: ResolveState, save: () => void): Promise<string[]> {
  const done: string[] = [];
  const moved = state.finish?.moved ?? [];
  while (moved.length) {
    const m = moved[moved.length - 1];
    const branch = m.ref.replace(/^refs\/heads\//, '');
    const err = m.from ? await casMoveBranch(env.run, env.config.repoPath, branch, m.from, m.to, `rebase-daily resolve: put ${branch} back`) : null;
    if (err) throw err;
    moved.pop();
    save();
    done.push(`put ${branch} back to ${m.from?.slice(0, 12) ?? '(absent)'}`);
  }
  return done;
}

/** An orphaned resolve hold (its state file lost): only its own resolve commands may end it. */
function releaseLockOfResolve(env: ResolveEnv): void {
  const lockDir = lockDirFor(env.config.scratchPath);
  const meta = readLockMeta(lockDir);
  if (meta?.resolve) releaseLock(lockDir, meta.runId);
}
