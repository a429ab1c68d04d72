import { errors, revParse, statusPorcelain, type RebaseDailyError, type Runner } from '@rebase-daily/core';
import { uninterruptible, updateRefCas, worktreeHolding } from '../git-ops.js';

/**
 * Move `refs/heads/<branch>` from exactly `from` to `to` by compare-and-swap (`git update-ref ref to
 * from`), and bring the worktree that has it checked out along with `git read-tree -m -u from to`
 * (the two-tree merge checkout does; it refuses, touching nothing, if it would lose a local change).
 * If the worktree cannot follow, the ref is put back. Returns an error, with everything as it was,
 * or null. (apply's memory engine does the same for the trunk in `moveTrunk`.)
 */
export async function casMoveBranch(run: Runner, repo: string, branch: string, to: string, from: string | null, reason: string): Promise<RebaseDailyError | null> {
  const ref = `refs/heads/${branch}`;
  const safe = uninterruptible(run);
  const holder = from ? await worktreeHolding(safe, repo, branch) : null;
  if (holder) {
    const dirty = await statusPorcelain(safe, holder);
    if (dirty.length) return errors.dirtyTree(dirty.map((l) => l.slice(3)));
  }
  const cas = await updateRefCas(safe, repo, ref, to, from, reason);
  if (cas.exitCode !== 0) return errors.movedSinceVerify(ref, from ?? '(absent)', (await revParse(safe, repo, ref)) ?? '(deleted)');
  if (!holder || !from) return null;
  const r = await safe('git', ['read-tree', '-m', '-u', from, to], { cwd: holder });
  if (r.exitCode === 0) return null;
  const back = await updateRefCas(safe, repo, ref, from, to, `${reason} (undone: the worktree could not follow)`);
  return errors.internal(`moved ${ref} but could not update the worktree ${holder} (git read-tree exit ${r.exitCode}); ${back.exitCode === 0 ? `put back to ${from.slice(0, 12)}` : `it is at ${to.slice(0, 12)}: run \`git read-tree -m -u ${from} ${to}\` in ${holder}`}`);
}
