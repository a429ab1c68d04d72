import { errors, moveBranch, moveFailureText, type RebaseDailyError, type Runner } from '@rebase-daily/core';

/**
 * Move `refs/heads/<branch>` from exactly `from` to `to` with core's `moveBranch` (compare-and-swap;
 * the worktree that has it checked out follows, or the branch is put back), refusing when that
 * worktree has any uncommitted change. Returns an error, with everything as it was, or null.
 */
export async function casMoveBranch(run: Runner, repo: string, branch: string, to: string, from: string | null, reason: string): Promise<RebaseDailyError | null> {
  const m = await moveBranch(run, repo, { branch, from, to, reason, requireClean: true });
  if (m.ok) return null;
  switch (m.reason) {
    case 'worktree-dirty':
      return errors.dirtyTree(m.files, m.holder);
    case 'ref-moved':
      return errors.movedSinceVerify(m.ref, from ?? '(absent)', m.actual ?? '(deleted)');
    case 'worktree-refused':
      return errors.internal(
        `moved ${m.ref} but could not update the worktree ${m.holder} (git read-tree exit ${m.exitCode}); ${m.restored ? `put back to ${from!.slice(0, 12)}` : `it is at ${to.slice(0, 12)}: run \`git read-tree -m -u ${from} ${to}\` in ${m.holder}`}`,
      );
    default:
      return errors.internal(moveFailureText(m));
  }
}
