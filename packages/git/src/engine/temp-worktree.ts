import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { errors, excludeScratch, firstLine, removeWorktree, type StageContext, uninterruptible } from '@rebase-daily/core';
import { abortIfRebasing } from './rebase-state.js';
import { addWorktree, deleteBranch } from './git-ops.js';

export interface TempWorktree {
  path: string;
  /** The temporary branch created for it, if any. */
  branch: string | null;
}

/** `<scratch>/worktrees/<name>-<runId>`. */
export function tempWorktreePath(ctx: StageContext, name: string): string {
  return join(ctx.config.scratchPath, 'worktrees', `${name}-${ctx.state.runId}`);
}

/**
 * Where the reproduce commands put a human's scratch worktree: outside `<scratch>/worktrees`, whose
 * leftovers the next run deletes — a conflict someone is resolving must not vanish under them.
 */
export function reproduceWorktreePath(ctx: StageContext, stage: string): string {
  return join(ctx.config.scratchPath, 'reproduce', `${stage}-${ctx.state.runId}`);
}

/**
 * Run `fn` in a temporary worktree, registered with the run so an interrupt or a crash recovery
 * removes it; removed here in `finally`, whatever happened (a rebase in progress is aborted first).
 *
 * `source.newBranch` creates a temporary branch at `source.at`; otherwise `source.at` (a branch) is
 * checked out as is, and the work moves that real branch.
 */
export async function withTempWorktree<T>(
  ctx: StageContext,
  name: string,
  source: { at: string; newBranch?: string },
  fn: (wt: TempWorktree) => Promise<T>,
): Promise<T> {
  const repo = ctx.config.repoPath;
  const path = tempWorktreePath(ctx, name);
  // The worktree lives under the scratch dir, which must never make the primary tree dirty.
  await excludeScratch(ctx.run, repo, ctx.config.scratchPath);
  mkdirSync(join(ctx.config.scratchPath, 'worktrees'), { recursive: true });
  // Branch first, worktree second: cleanup runs in reverse, removing the worktree before the branch.
  if (source.newBranch) ctx.registerTemporary('branch', source.newBranch);
  ctx.registerTemporary('worktree', path);
  try {
    const added = await addWorktree(ctx.run, repo, path, source.at, source.newBranch);
    if (added.exitCode !== 0) {
      throw errors.internal(`could not create temporary worktree ${path}: ${firstLine(added.stderr)}; check disk space and \`git worktree list\``);
    }
    return await fn({ path, branch: source.newBranch ?? null });
  } finally {
    const cleanup = uninterruptible(ctx.run);
    if (existsSync(path)) await abortIfRebasing(cleanup, path).catch(() => undefined);
    ctx.unregisterTemporary('operation', path);
    await removeWorktree(cleanup, repo, path);
    ctx.unregisterTemporary('worktree', path);
    if (source.newBranch) {
      await deleteBranch(cleanup, repo, source.newBranch);
      ctx.unregisterTemporary('branch', source.newBranch);
    }
  }
}

