import { listWorktrees, type Runner } from '@rebase-daily/core';

/**
 * One small function per git operation the git stages perform. Each takes the runner and an
 * explicit cwd; mutating ones return the CommandResult so callers decide on the exit code.
 */

/** A signal that never fires: cleanup commands must run even after the run was interrupted. */
const neverAborted = new AbortController().signal;

/** The same runner, but its commands are not cancelled by the run's abort signal (for cleanup). */
export function uninterruptible(run: Runner): Runner {
  return (command, args, options) => run(command, args, { ...options, signal: neverAborted });
}

/** `git rebase <onto>` for a branch checked out in `cwd`. */
export function rebaseOnto(run: Runner, cwd: string, onto: string) {
  // --no-update-refs: with rebase.updateRefs=true in the user's config, git would also move every
  // other branch pointing into the rebased range — in verify that includes the real trunk.
  // --no-autosquash: a `fixup!` patch in the queue must replay as itself, exactly as verified.
  return run('git', ['rebase', '--no-update-refs', '--no-autosquash', '--no-autostash', onto], { cwd });
}

/** Abort a rebase in progress; runs even after the run was interrupted. */
export function rebaseAbort(run: Runner, cwd: string) {
  return run('git', ['rebase', '--abort'], { cwd, signal: neverAborted });
}

/** Files with unresolved conflicts in `cwd`. */
export async function conflictedFiles(run: Runner, cwd: string): Promise<string[]> {
  const r = await run('git', ['diff', '--name-only', '--diff-filter=U'], { cwd });
  return r.stdout.split('\n').filter((l) => l.length > 0);
}

/** Add a worktree at `path`: on a new branch at `commit` when `newBranch` is given, else checking out `branchOrCommit`. */
export function addWorktree(run: Runner, repo: string, path: string, branchOrCommit: string, newBranch?: string) {
  const args = ['worktree', 'add', '--quiet'];
  if (newBranch) args.push('-b', newBranch);
  args.push(path, branchOrCommit);
  return run('git', args, { cwd: repo });
}

/** Remove a worktree even if it is dirty or mid-rebase; runs even after the run was interrupted. */
export async function removeWorktree(run: Runner, repo: string, path: string) {
  // Two --force: the second removes a worktree that is locked or mid-operation.
  const r = await run('git', ['worktree', 'remove', '--force', '--force', path], { cwd: repo, signal: neverAborted });
  await run('git', ['worktree', 'prune'], { cwd: repo, signal: neverAborted });
  return r;
}

export function deleteBranch(run: Runner, repo: string, branch: string) {
  return run('git', ['branch', '-D', branch], { cwd: repo, signal: neverAborted });
}

/**
 * Move a ref with a compare-and-swap on its old value (null = must not exist), so a concurrent
 * writer makes this fail instead of being overwritten.
 */
export function updateRefCas(run: Runner, repo: string, ref: string, newSha: string, oldSha: string | null, reason: string) {
  return run('git', ['update-ref', '-m', reason, ref, newSha, oldSha ?? '0'.repeat(40)], { cwd: repo, signal: neverAborted });
}

/** `git reset --hard <sha>` in a worktree (used only to restore a branch to its pre-apply SHA). */
export function resetHard(run: Runner, cwd: string, sha: string) {
  return run('git', ['reset', '--hard', '--quiet', sha], { cwd, signal: neverAborted });
}

export function mergeFfOnly(run: Runner, cwd: string, sha: string) {
  return run('git', ['merge', '--ff-only', '--quiet', sha], { cwd });
}

/** Which worktree (absolute path) has `refs/heads/<branch>` checked out, if any. */
export async function worktreeHolding(run: Runner, repo: string, branch: string): Promise<string | null> {
  return (await listWorktrees(run, repo)).find((w) => w.branch === branch)?.path ?? null;
}

/** `sha` → its subject line, or '' when unknown. */
export async function commitSubject(run: Runner, repo: string, sha: string): Promise<string> {
  const r = await run('git', ['log', '-1', '--format=%s', sha], { cwd: repo });
  return r.exitCode === 0 ? r.stdout : '';
}

export async function mergeBase(run: Runner, repo: string, a: string, b: string): Promise<string | null> {
  const r = await run('git', ['merge-base', a, b], { cwd: repo });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

/** Commits in `range` (e.g. `a..b`) as {sha, subject}, oldest first, at most `limit`. */
export async function listCommits(run: Runner, repo: string, range: string, limit = 1000): Promise<{ sha: string; subject: string }[]> {
  const r = await run('git', ['log', '--reverse', `--max-count=${limit}`, '--format=%H%x09%s', range], { cwd: repo });
  if (r.exitCode !== 0) return [];
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const i = l.indexOf('\t');
      return { sha: l.slice(0, i), subject: l.slice(i + 1) };
    });
}

export async function countCommits(run: Runner, repo: string, range: string): Promise<number> {
  const r = await run('git', ['rev-list', '--count', range], { cwd: repo });
  return r.exitCode === 0 ? Number.parseInt(r.stdout.trim(), 10) : 0;
}

/** Does the object exist locally? */
export async function hasObject(run: Runner, repo: string, sha: string): Promise<boolean> {
  const r = await run('git', ['cat-file', '-e', `${sha}^{commit}`], { cwd: repo });
  return r.exitCode === 0;
}

