import { moveBranch, moveFailureError, type RebaseDailyError, type Runner } from '@rebase-daily/core';

/**
 * Move `refs/heads/<branch>` from exactly `from` to `to` with core's `moveBranch` (compare-and-swap;
 * the worktree that has it checked out follows, or the branch is put back), refusing when that
 * worktree has any uncommitted change. Returns an error (core's one wording), with everything as it was, or null.
 */
export async function casMoveBranch(run: Runner, repo: string, branch: string, to: string, from: string | null, reason: string): Promise<RebaseDailyError | null> {
  const m = await moveBranch(run, repo, { branch, from, to, reason, requireClean: true });
  return m.ok ? null : moveFailureError(m);
}
