import { isSha, neverAborted, revParse, type Runner, type StageContext } from '@rebase-daily/core';

/**
 * One small function per git operation the git stages perform. Each takes the runner and an
 * explicit cwd; mutating ones return the CommandResult so callers decide on the exit code.
 */

/** `git rebase <onto>` for a branch checked out in `cwd`. */
export function rebaseOnto(run: Runner, cwd: string, onto: string, skip: readonly string[] = []) {
  // --no-update-refs: with rebase.updateRefs=true in the user's config, git would also move every
  // other branch pointing into the rebased range — in verify that includes the real trunk.
  // --no-autosquash: a `fixup!` patch in the queue must replay as itself, exactly as verified.
  if (skip.length === 0) return run('git', ['rebase', '--no-update-refs', '--no-autosquash', '--no-autostash', onto], { cwd });
  return run('git', ['-c', 'core.abbrev=40', ...skippingRebaseArgs(onto)], { cwd, env: { GIT_SEQUENCE_EDITOR: skipPicksEditor(skip) } });
}

/**
 * `git rebase` arguments that replay the queue without some commits: interactive, so a sequence
 * editor can delete their picks; `--empty=drop` because -i would otherwise stop to ask about a
 * commit that becomes empty, where the plain rebase drops it.
 */
export function skippingRebaseArgs(onto: string): string[] {
  return ['rebase', '-i', '--empty=drop', '--no-update-refs', '--no-autosquash', '--no-autostash', onto];
}

/**
 * GIT_SEQUENCE_EDITOR that turns the picks of `skip` (full SHAs: the rebase runs with
 * core.abbrev=40) into `noop` — not deleted, because a todo list left empty makes rebase -i stop
 * with "nothing to do" instead of resetting to the new base. `-i.bak` is the spelling GNU and BSD
 * sed both accept; the backup lives in the rebase state directory, which rebase removes.
 */
export function skipPicksEditor(skip: readonly string[]): string {
  const shas = skip.filter(isSha);
  return `sed -i.bak -E -e 's/^(pick|p) (${shas.join('|')})( .*)?$/noop/'`;
}

/**
 * `git rebase <onto>` in `cwd`, recorded in the run state before it starts (what it rebases from and
 * onto), so the cleanup — this run's, or the next run's after a crash — aborts this rebase and no
 * other. The record is dropped when the rebase completes; a stopped one stays recorded until the
 * caller aborts it and calls `ctx.unregisterTemporary('operation', cwd)`.
 */
export async function recordedRebase(ctx: StageContext, cwd: string, onto: string, skip: readonly string[] = []) {
  const origHead = (await revParse(ctx.run, cwd, 'HEAD')) ?? undefined;
  const ontoSha = (await revParse(ctx.run, cwd, onto)) ?? onto;
  ctx.registerTemporary('operation', cwd, { op: 'rebase', origHead, onto: ontoSha });
  const r = await rebaseOnto(ctx.run, cwd, onto, skip);
  if (r.exitCode === 0) ctx.unregisterTemporary('operation', cwd);
  return r;
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

export function deleteBranch(run: Runner, repo: string, branch: string) {
  return run('git', ['branch', '-D', branch], { cwd: repo, signal: neverAborted });
}

/** `git reset --hard <sha>` in a worktree (used only to restore a branch to its pre-apply SHA). */
export function resetHard(run: Runner, cwd: string, sha: string) {
  return run('git', ['reset', '--hard', '--quiet', sha], { cwd, signal: neverAborted });
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

