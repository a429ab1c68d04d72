import type { Runner } from '@rebase-daily/core';

export interface WorktreeEntry {
  path: string;
  head: string | null;
  /** Short branch name, null when detached or bare. */
  branch: string | null;
  bare: boolean;
}

/** Parse `git worktree list --porcelain`: blank-line separated records of `key value` lines. */
export function parseWorktreeList(stdout: string): WorktreeEntry[] {
  const out: WorktreeEntry[] = [];
  for (const block of stdout.split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => l.length > 0);
    const wt = lines.find((l) => l.startsWith('worktree '));
    if (!wt) continue;
    const head = lines.find((l) => l.startsWith('HEAD '));
    const branch = lines.find((l) => l.startsWith('branch '));
    out.push({
      path: wt.slice('worktree '.length),
      head: head ? head.slice('HEAD '.length) : null,
      branch: branch ? branch.slice('branch '.length).replace(/^refs\/heads\//, '') : null,
      bare: lines.includes('bare'),
    });
  }
  return out;
}

export async function listWorktrees(run: Runner, repo: string): Promise<WorktreeEntry[]> {
  const r = await run('git', ['worktree', 'list', '--porcelain'], { cwd: repo });
  return r.exitCode === 0 ? parseWorktreeList(r.stdout) : [];
}
