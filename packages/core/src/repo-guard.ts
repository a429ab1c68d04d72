import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ResolvedConfig } from './config.js';
import { currentBranch, gitDir, listWorktrees, operationInProgress, statusPorcelain } from './git-basics.js';
import { runPaths, TEMP_BRANCH_PREFIX } from './paths.js';
import type { Runner } from './process.js';
import type { RunState } from './run-state.js';

type Temporary = RunState['temporaries'][number];

export async function removeTemporary(run: Runner, repo: string, t: Temporary): Promise<boolean> {
  if (t.kind === 'worktree') {
    await run('git', ['worktree', 'remove', '--force', '--force', t.path], { cwd: repo });
    if (existsSync(t.path)) rmSync(t.path, { recursive: true, force: true });
    await run('git', ['worktree', 'prune'], { cwd: repo });
    return !existsSync(t.path);
  }
  if (t.kind === 'branch') {
    const r = await run('git', ['branch', '-D', t.path], { cwd: repo });
    return r.exitCode === 0;
  }
  rmSync(t.path, { recursive: true, force: true });
  return !existsSync(t.path);
}

/**
 * Abort whatever sequencer operation is in progress in `cwd`. Returns the operation, or null when
 * none was; when `--abort` failed the answer says so ("rebase (abort failed: …)"), and a caller
 * reports it as a failed step, never as done.
 */
export async function abortOperation(run: Runner, cwd: string): Promise<string | null> {
  const dir = await gitDir(run, cwd);
  const op = dir ? operationInProgress(dir) : null;
  if (!op || op === 'bisect') return op === 'bisect' ? null : op;
  const verb = op === 'rebase' ? 'rebase' : op;
  const r = await run('git', [verb, '--abort'], { cwd });
  if (r.exitCode === 0) return op;
  const why = r.stderr.split('\n').find((l) => l.trim()) ?? `exit ${r.exitCode}`;
  if (op === 'rebase' && dir) {
    // A rebase whose state dir is damaged cannot be aborted; `rebase --quit` forgets it, then the
    // branch is reset by the caller from the SHA it recorded.
    const quit = await run('git', ['rebase', '--quit'], { cwd });
    return `${op} (abort failed: ${why}; ${quit.exitCode === 0 ? 'forgotten with `git rebase --quit`' : 'still in progress'})`;
  }
  return `${op} (abort failed: ${why})`;
}

/**
 * The cleanup guarantee: no operation in progress, temporaries gone, the starting branch checked
 * out, a clean tree. Returns what it did, for the report. Never throws.
 */
export async function restoreRepo(run: Runner, config: ResolvedConfig, state: RunState): Promise<{ actions: string[]; problems: string[] }> {
  const actions: string[] = [];
  const problems: string[] = [];
  const repo = config.repoPath;
  try {
    const aborted = await abortOperation(run, repo);
    // A step that failed is reported as failed: `rebase --abort` fails on a stale index.lock.
    if (aborted?.includes('abort failed')) problems.push(`could not abort ${aborted} in ${repo}`);
    else if (aborted) actions.push(`aborted ${aborted} in progress in ${repo}`);
    // Worktrees first: git refuses to delete a branch checked out in a worktree.
    const order = { worktree: 0, branch: 1, dir: 2 } as const;
    for (const t of [...state.temporaries].sort((a, b) => order[a.kind] - order[b.kind])) {
      if (t.kind === 'worktree') {
        const wtAborted = existsSync(t.path) ? await abortOperation(run, t.path).catch(() => null) : null;
        // An abort that failed there is moot: the worktree is removed next, with its operation.
        if (wtAborted) actions.push(wtAborted.includes('abort failed') ? `${wtAborted} in temporary worktree ${t.path}, removed with it` : `aborted ${wtAborted} in temporary worktree ${t.path}`);
      }
      if (await removeTemporary(run, repo, t)) actions.push(`removed temporary ${t.kind} ${t.path}`);
      else problems.push(`could not remove temporary ${t.kind} ${t.path}`);
    }
    if (!state.preflightOk) return { actions, problems };
    const dirty = await statusPorcelain(run, repo);
    if (dirty.length) {
      // Preflight proved the tree clean at the start, so anything here was written by this run.
      await run('git', ['reset', '--quiet', '--hard', 'HEAD'], { cwd: repo });
      await run('git', ['clean', '-fdq'], { cwd: repo });
      actions.push(`discarded ${dirty.length} change(s) this run left in the tree: ${dirty.slice(0, 5).map((l) => l.slice(3)).join(', ')}`);
    }
    const now = await currentBranch(run, repo);
    if (state.startBranch && now !== state.startBranch) {
      const r = await run('git', ['checkout', '--quiet', state.startBranch], { cwd: repo });
      if (r.exitCode === 0) actions.push(`checked out starting branch ${state.startBranch}`);
      else problems.push(`could not check out starting branch ${state.startBranch}: ${r.stderr.split('\n')[0]}`);
    } else if (!state.startBranch && state.startHead && now) {
      await run('git', ['checkout', '--quiet', '--detach', state.startHead], { cwd: repo });
      actions.push(`restored detached HEAD at ${state.startHead.slice(0, 12)}`);
    }
    const still = await statusPorcelain(run, repo);
    if (still.length) problems.push(`tree still dirty after cleanup: ${still.slice(0, 5).join(', ')}`);
  } catch (err) {
    problems.push(`cleanup error: ${(err as Error).message}`);
  }
  return { actions, problems };
}

/**
 * Leftovers of a crashed run: temporary worktrees under `<scratch>/worktrees`, temporary
 * `rebase-daily/…` branches, an active-run pointer. Called with the lock held, so nothing here can
 * belong to a live run. Returns one line per thing found and cleaned.
 */
export async function cleanLeftovers(run: Runner, config: ResolvedConfig, ownRunId: string): Promise<string[]> {
  const found: string[] = [];
  const repo = config.repoPath;
  const paths = runPaths(config.scratchPath);
  const wtRoot = resolve(paths.worktrees);
  for (const wt of await listWorktrees(run, repo)) {
    const p = resolve(wt.path);
    if (p.startsWith(`${wtRoot}/`) && !p.includes(ownRunId)) {
      const removed = await removeTemporary(run, repo, { kind: 'worktree', path: p });
      found.push(`temporary worktree ${p} (${removed ? 'removed' : 'could not remove'})`);
    }
  }
  if (existsSync(wtRoot)) {
    for (const name of readdirSync(wtRoot)) {
      if (name.includes(ownRunId)) continue;
      rmSync(join(wtRoot, name), { recursive: true, force: true });
      found.push(`temporary directory ${join(wtRoot, name)} (removed)`);
    }
  }
  await run('git', ['worktree', 'prune'], { cwd: repo });
  const branches = await run('git', ['for-each-ref', '--format=%(refname:short)', `refs/heads/${TEMP_BRANCH_PREFIX}`], { cwd: repo });
  for (const b of branches.stdout.split('\n').filter(Boolean)) {
    if (b.includes(ownRunId)) continue;
    const r = await run('git', ['branch', '-D', b], { cwd: repo });
    found.push(`temporary branch ${b} (${r.exitCode === 0 ? 'deleted' : 'could not delete'})`);
  }
  return found;
}
