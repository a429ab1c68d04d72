import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { currentBranch, excludeScratch, gitDir, operationInProgress, removeWorktree, revParse, runPaths, statusPorcelain, type Runner } from '@rebase-daily/core';
import { treeOf } from './cache-key.js';

export interface ValidationTree {
  /** Worktree root where the steps run. */
  root: string;
  /** `primary`: the user's checkout, trunk checked out and clean. `dedicated`: a worktree under the scratch dir. */
  kind: 'primary' | 'dedicated';
  /** Why this kind was chosen, for the report. */
  why: string;
  commit: string;
  tree: string;
}

export interface PrepareTreeOptions {
  run: Runner;
  repo: string;
  trunk: string;
  scratchPath: string;
  mode: 'auto' | 'dedicated';
  register?: (kind: 'worktree', path: string) => void;
}

/** The fixed path of the dedicated worktree: a stable path keeps cargo's fingerprints comparable between days. */
export function dedicatedWorktreePath(scratchPath: string): string {
  return join(runPaths(scratchPath).worktrees, 'validate');
}

/**
 * Choose where to validate the trunk: the primary worktree when the trunk is checked out there and
 * clean (no copy, cargo sees unchanged mtimes), else a fresh detached worktree of the trunk's commit
 * under `<scratch>/worktrees/validate`, registered as temporary so an interrupted run removes it.
 */
export async function prepareValidationTree(o: PrepareTreeOptions): Promise<{ ok: true; tree: ValidationTree } | { ok: false; message: string }> {
  const commit = await revParse(o.run, o.repo, o.trunk);
  const tree = commit ? await treeOf(o.run, o.repo, commit) : null;
  if (!commit || !tree) return { ok: false, message: `trunk "${o.trunk}" does not exist in ${o.repo}; fix "trunk" in the config` };
  await excludeScratch(o.run, o.repo, o.scratchPath);

  let why = 'worktree: dedicated in the config';
  if (o.mode === 'auto') {
    const branch = await currentBranch(o.run, o.repo);
    const dirty = await statusPorcelain(o.run, o.repo);
    const gd = await gitDir(o.run, o.repo);
    const op = gd ? operationInProgress(gd) : null;
    if (branch === o.trunk && dirty.length === 0 && !op) return { ok: true, tree: { root: o.repo, kind: 'primary', why: `${o.trunk} is checked out and clean`, commit, tree } };
    why = branch !== o.trunk ? `${branch ?? 'a detached HEAD'} is checked out, not ${o.trunk}` : op ? `a ${op} is in progress` : `the primary worktree has ${dirty.length} uncommitted change(s)`;
  }

  const path = dedicatedWorktreePath(o.scratchPath);
  if (existsSync(path)) await removeWorktree(o.run, o.repo, path);
  o.register?.('worktree', path);
  const add = await o.run('git', ['worktree', 'add', '--quiet', '--detach', path, commit], { cwd: o.repo });
  if (add.exitCode !== 0) return { ok: false, message: `could not create the validation worktree ${path}: ${add.stderr.split('\n')[0]}; remove it by hand and rerun` };
  return { ok: true, tree: { root: path, kind: 'dedicated', why, commit, tree } };
}

/** Remove a dedicated worktree; the primary one is left as it is (the steps restored it). */
export async function releaseValidationTree(run: Runner, repo: string, tree: ValidationTree, unregister?: (kind: 'worktree', path: string) => void): Promise<void> {
  if (tree.kind !== 'dedicated') return;
  await removeWorktree(run, repo, tree.root);
  unregister?.('worktree', tree.root);
}
