import { gitDir, operationInProgress, type Runner } from '@rebase-daily/core';
import { rebaseAbort } from './git-ops.js';

/** Is a rebase stopped in the worktree at `cwd`? */
export async function isRebasing(run: Runner, cwd: string): Promise<boolean> {
  const dir = await gitDir(run, cwd);
  return dir !== null && operationInProgress(dir) === 'rebase';
}

/** Abort a rebase in progress in `cwd`, if any. Returns whether one was aborted. */
export async function abortIfRebasing(run: Runner, cwd: string): Promise<boolean> {
  if (!(await isRebasing(run, cwd))) return false;
  const r = await rebaseAbort(run, cwd);
  return r.exitCode === 0;
}
