import type { Runner } from '@rebase-daily/core';
import { minimatch } from 'minimatch';

/**
 * Paths the new upstream commits (`base..upstream`) added that `conflicts.policy.removed` names:
 * files the fork deleted for good and upstream brought back. One `git diff-tree`; none without globs
 * or without a base.
 */
export async function reintroducedPaths(run: Runner, repo: string, base: string | null, upstream: string, removed: readonly string[]): Promise<string[]> {
  if (!removed.length || !base || base === upstream) return [];
  const r = await run('git', ['diff-tree', '-r', '-z', '--no-renames', '--name-only', '--diff-filter=A', base, upstream], { cwd: repo, raw: true });
  if (r.exitCode !== 0) return [];
  return r.stdout.split('\0').filter((p) => p && removed.some((g) => minimatch(p, g, { dot: true })));
}
