import { existsSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ResolvedConfig } from '../config/config.js';
import { errors } from '../errors/errors.js';
import { currentBranch, gitDir, listWorktrees, operationCommands, operationInProgress, rebaseIdentity, revParse, statusPorcelain } from '../process/git-basics.js';
import type { Runner } from '../process/process.js';
import { type RunState, type Temporary } from '../contracts/run-state.js';
import { recordedRuns, saveState } from '../contracts/state-file.js';
import { removeWorktree } from '../recovery/worktree-removal.js';

/**
 * The cleanup guarantee, bounded by the record: a run records what it makes before making it
 * (`registerTemporary`), and cleanup — at the end of the run, on an interrupt, or by the next run
 * after a crash — undoes exactly those things. An operation, worktree or branch the record does not
 * name is never aborted or removed, whatever its name looks like.
 */

/** Does the operation in progress in `gitDirPath` match the recorded one (a rebase this run started)? */
export function ownsOperation(t: Temporary, gitDirPath: string): boolean {
  // rebaseIdentity also reads a `git am` (rebase-apply), so the operation is checked first.
  const id = operationInProgress(gitDirPath) === 'rebase' ? rebaseIdentity(gitDirPath) : null;
  if (t.kind !== 'operation' || !id) return false;
  if (t.origHead && id.origHead !== t.origHead) return false;
  if (t.onto && id.onto !== t.onto) return false;
  if (t.heads && !t.heads.includes((id.headName ?? '').replace(/^refs\/heads\//, ''))) return false;
  return true;
}

async function branchExists(run: Runner, repo: string, branch: string): Promise<boolean> {
  return (await run('git', ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { cwd: repo })).exitCode === 0;
}

/**
 * Undo one recorded temporary. Returns the line for the report — true: what was done, checked
 * after doing it — or null when there was nothing to undo (registered, never created, or already
 * gone), or a problem when it could not be undone.
 */
export async function undoTemporary(run: Runner, repo: string, t: Temporary): Promise<{ action?: string; problem?: string }> {
  if (t.kind === 'operation') {
    const dir = existsSync(t.path) ? await gitDir(run, t.path) : null;
    if (!dir) return {};
    const op = operationInProgress(dir);
    if (!op) return {};
    if (!ownsOperation(t, dir)) return { action: `left the ${op} in progress in ${t.path} alone: this run did not start it` };
    const r = await run('git', ['rebase', '--abort'], { cwd: t.path });
    if (r.exitCode !== 0) {
      // A rebase whose state dir is damaged cannot be aborted; `rebase --quit` forgets it (the
      // branch never moved: git updates it only when a rebase completes).
      await run('git', ['rebase', '--quit'], { cwd: t.path });
    }
    if (operationInProgress(dir)) return { problem: `could not abort the rebase this run started in ${t.path}; run \`${operationCommands('rebase', t.path).abort}\`` };
    return { action: r.exitCode === 0 ? `aborted the rebase this run started in ${t.path}` : `quit the rebase this run started in ${t.path} (\`git rebase --abort\` failed)` };
  }
  if (t.kind === 'worktree') {
    const r = await removeWorktree(run, repo, t.path, { what: 'temporary worktree' });
    return r.problem ? { problem: r.problem } : r.action ? { action: r.action } : {};
  }
  if (t.kind === 'branch') {
    if (!(await branchExists(run, repo, t.path))) return {};
    const r = await run('git', ['branch', '-D', t.path], { cwd: repo });
    return r.exitCode === 0 ? { action: `deleted temporary branch ${t.path}` } : { problem: `could not delete temporary branch ${t.path}: ${r.stderr.split('\n')[0]}` };
  }
  if (!existsSync(t.path)) return {};
  // A `dir` record may name a file the run's tools create (a Cargo.lock cargo writes).
  const what = statSync(t.path).isDirectory() ? 'temporary directory' : 'temporary file';
  rmSync(t.path, { recursive: true, force: true });
  return existsSync(t.path) ? { problem: `could not remove ${what} ${t.path}` } : { action: `removed ${what} ${t.path}` };
}

/** Undo recorded temporaries: operations first, then worktrees (git refuses to delete a branch checked out in one), branches, dirs. */
export async function undoTemporaries(run: Runner, repo: string, temporaries: readonly Temporary[]): Promise<{ actions: string[]; problems: string[]; left: Temporary[] }> {
  const order = { operation: 0, worktree: 1, branch: 2, dir: 3 } as const;
  const actions: string[] = [];
  const problems: string[] = [];
  const left: Temporary[] = [];
  for (const t of [...temporaries].sort((a, b) => order[a.kind] - order[b.kind])) {
    const r = await undoTemporary(run, repo, t).catch((err: Error) => ({ problem: `cleanup of ${t.kind} ${t.path} failed: ${err.message}`, action: undefined }));
    if (r.action) actions.push(r.action);
    if (r.problem) {
      problems.push(r.problem);
      left.push(t);
    }
  }
  return { actions, problems, left };
}

/**
 * The cleanup guarantee: what this run recorded undone, the starting branch checked out, a clean
 * tree. Returns what it did, for the report (each line true), and what it could not do. Never throws.
 */
export async function restoreRepo(run: Runner, config: ResolvedConfig, state: RunState): Promise<{ actions: string[]; problems: string[] }> {
  const repo = config.repoPath;
  const { actions, problems } = await undoTemporaries(run, repo, state.temporaries);
  try {
    if (!state.preflightOk) return { actions, problems };
    const dir = await gitDir(run, repo);
    const op = dir ? operationInProgress(dir) : null;
    if (op) {
      // Preflight found none, and this run's own are aborted above: someone else started this one
      // during the run. Resetting the tree or switching branches would destroy it.
      problems.push(`a ${op} this run did not start is in progress in ${repo}; left it alone and did not restore the tree or the starting branch`);
      return { actions, problems };
    }
    const dirty = await statusPorcelain(run, repo);
    // The tree can only turn dirty again through what this cleanup does: look again only then.
    let touched = dirty.length > 0;
    if (dirty.length) {
      // Preflight proved the tree clean at the start, so anything here was written by this run.
      await run('git', ['reset', '--quiet', '--hard', 'HEAD'], { cwd: repo });
      await run('git', ['clean', '-fdq'], { cwd: repo });
      actions.push(`discarded ${dirty.length} change(s) this run left in the tree: ${dirty.slice(0, 5).map((l) => l.slice(3)).join(', ')}`);
    }
    const now = await currentBranch(run, repo);
    if (state.startBranch && now !== state.startBranch) {
      const r = await run('git', ['checkout', '--quiet', state.startBranch], { cwd: repo });
      touched = true;
      if (r.exitCode === 0) actions.push(`checked out starting branch ${state.startBranch}`);
      else problems.push(`could not check out starting branch ${state.startBranch}: ${r.stderr.split('\n')[0]}`);
    } else if (!state.startBranch && state.startHead && now) {
      const r = await run('git', ['checkout', '--quiet', '--detach', state.startHead], { cwd: repo });
      touched = true;
      if (r.exitCode === 0) actions.push(`restored detached HEAD at ${state.startHead.slice(0, 12)}`);
      else problems.push(`could not restore detached HEAD at ${state.startHead.slice(0, 12)}: ${r.stderr.split('\n')[0]}`);
    }
    const still = touched ? await statusPorcelain(run, repo) : [];
    if (still.length) problems.push(`tree still dirty after cleanup: ${still.slice(0, 5).join(', ')}`);
  } catch (err) {
    problems.push(`cleanup error: ${(err as Error).message}`);
  }
  return { actions, problems };
}

/** Temporaries other runs recorded and never undid (a crash, a kill -9): what the next run cleans. */
export function unfinishedTemporaries(scratchPath: string, exceptRunId?: string): { runId: string; temporaries: Temporary[] }[] {
  return recordedRuns(scratchPath)
    .filter((s) => s.runId !== exceptRunId && s.temporaries.length > 0)
    .map((s) => ({ runId: s.runId, temporaries: s.temporaries }));
}

/** Prefix of the lines `cleanLeftovers` returns for worktree metadata `git worktree prune` removed (a side effect, not a leftover of ours). */
export const PRUNED = 'git worktree prune: ';

/**
 * An operation in progress in the repo's main worktree at the start of a run. A rebase that a run
 * of this tool recorded and never undid (it crashed) is the next run's to clean up, under the lock:
 * returned, not refused. Any other is the user's: refused with E_OPERATION_IN_PROGRESS, naming the
 * commands that finish or abort it. Reads only; call it before anything is written.
 */
export async function refuseForeignOperation(run: Runner, config: ResolvedConfig): Promise<{ op: string; recordedBy: string } | null> {
  const repo = config.repoPath;
  const dir = await gitDir(run, repo);
  if (!dir) return null;
  await refuseLinkedWorktreeOperation(run, config);
  const op = operationInProgress(dir);
  if (!op) return null;
  const owner = recordedOperationOwner(config, dir);
  if (owner) return { op, recordedBy: owner };
  throw errors.operationInProgress(op, repo, operationCommands(op, repo));
}

/**
 * An operation the user left stopped in a linked worktree, on a branch the run will move: the
 * trunk, the mirror, or (with Graphite configured) a branch built on the trunk — a descendant align
 * restacks. Moving the branch under a stopped `git rebase -i` makes the user's `--continue` fail
 * (`cannot lock ref`) or land on a trunk it never saw. The branch is the one being rebased
 * (`rebase-merge/head-name`; the worktree's HEAD is detached meanwhile) or the one checked out.
 * A rebase a crashed run recorded is its own (the cleanup's), not refused. Reads only.
 */
export async function refuseLinkedWorktreeOperation(run: Runner, config: ResolvedConfig): Promise<void> {
  const repo = resolve(config.repoPath);
  const trunkTip = config.graphite ? await revParse(run, repo, `refs/heads/${config.trunk}`) : null;
  for (const wt of await listWorktrees(run, repo)) {
    if (wt.bare || resolve(wt.path) === repo || !existsSync(wt.path)) continue;
    const dir = await gitDir(run, wt.path);
    const op = dir ? operationInProgress(dir) : null;
    if (!dir || !op) continue;
    const rebasing = op === 'rebase' ? rebaseIdentity(dir) : null;
    const branch = (rebasing?.headName ?? '').replace(/^refs\/heads\//, '') || wt.branch;
    if (!branch) continue;
    const tip = rebasing?.origHead ?? wt.head;
    const moved =
      branch === config.trunk ||
      branch === config.mirror ||
      (trunkTip !== null && tip !== null && tip !== trunkTip && (await run('git', ['merge-base', '--is-ancestor', trunkTip, tip], { cwd: repo })).exitCode === 0);
    if (!moved) continue;
    if (unfinishedTemporaries(config.scratchPath).some(({ temporaries }) => temporaries.some((t) => resolve(t.path) === resolve(wt.path) && ownsOperation(t, dir)))) continue;
    throw errors.operationInProgress(op, wt.path, operationCommands(op, wt.path), branch);
  }
}


/** The run whose unfinished record names the operation in progress in the repo's git dir, if any. */
export function recordedOperationOwner(config: ResolvedConfig, repoGitDir: string): string | null {
  for (const { runId, temporaries } of unfinishedTemporaries(config.scratchPath)) {
    // ownsOperation is false for any record that is not an operation.
    if (temporaries.some((t) => resolve(t.path) === resolve(config.repoPath) && ownsOperation(t, repoGitDir))) return runId;
  }
  return null;
}

/**
 * Leftovers of crashed runs: what their run states recorded and never undid — a rebase they
 * started, temporary worktrees, branches, dirs — undone now, and struck from their record. Called
 * with the lock held, so nothing recorded can belong to a live run. A worktree or branch no run
 * recorded is left alone, even under `<scratch>/worktrees` or named `rebase-daily/…`.
 * Returns one line per thing found.
 */
export async function cleanLeftovers(run: Runner, config: ResolvedConfig, ownRunId: string): Promise<string[]> {
  const found: string[] = [];
  for (const state of recordedRuns(config.scratchPath)) {
    if (state.runId === ownRunId || state.temporaries.length === 0) continue;
    const r = await undoTemporaries(run, config.repoPath, state.temporaries);
    found.push(...r.actions.map((a) => `${a} (left by run ${state.runId})`), ...r.problems.map((p) => `${p} (left by run ${state.runId})`));
    try {
      saveState({ ...state, temporaries: r.left });
    } catch {
      // The record stays as it was; the next run tries again.
    }
  }
  return found;
}
