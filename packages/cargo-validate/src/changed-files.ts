import { writeFileSync } from 'node:fs';
import type { Runner } from '@rebase-daily/core';

export interface ChangedFiles {
  /** Tracked files modified, deleted or renamed (paths relative to the worktree root). */
  tracked: string[];
  /** New files git does not know (and does not ignore). */
  untracked: string[];
}

/**
 * Parse `git status --porcelain=v1 -z --untracked-files=all`. Pure. Renames carry their source path
 * as the next NUL-separated field; both paths count as changed.
 */
export function parsePorcelainZ(text: string): ChangedFiles {
  const fields = text.split('\0');
  const tracked: string[] = [];
  const untracked: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    if (field.length < 4) continue;
    const xy = field.slice(0, 2);
    const path = field.slice(3);
    if (xy === '??') untracked.push(path);
    else {
      tracked.push(path);
      if (xy[0] === 'R' || xy[0] === 'C') tracked.push(fields[++i]);
    }
  }
  return { tracked, untracked };
}

/** What changed in the worktree at `root` relative to HEAD. */
export async function changedFiles(run: Runner, root: string): Promise<ChangedFiles> {
  const r = await run('git', ['status', '--porcelain=v1', '-z', '--untracked-files=all'], { cwd: root, raw: true });
  return parsePorcelainZ(r.stdout);
}

export const noChanges = (c: ChangedFiles) => c.tracked.length === 0 && c.untracked.length === 0;
export const allChanged = (c: ChangedFiles) => [...c.tracked, ...c.untracked];

/** Save `git diff` of the changed tracked files (binary-safe) to `file`. */
export async function saveDiff(run: Runner, root: string, changes: ChangedFiles, file: string): Promise<void> {
  const r = changes.tracked.length
    ? await run('git', ['diff', '--binary', 'HEAD', '--', ...changes.tracked], { cwd: root, raw: true })
    : { stdout: '' };
  const untracked = changes.untracked.map((p) => `# new file (not in the diff): ${p}\n`).join('');
  writeFileSync(file, `${r.stdout}${untracked}`);
}

/**
 * Put back exactly what changed: tracked files from HEAD, untracked files deleted. Nothing else in
 * the worktree is touched. Returns whether the tree is clean afterwards.
 */
export async function restoreFiles(run: Runner, root: string, changes: ChangedFiles): Promise<boolean> {
  if (changes.tracked.length) await run('git', ['checkout', '--quiet', 'HEAD', '--', ...changes.tracked], { cwd: root });
  if (changes.untracked.length) await run('git', ['clean', '--quiet', '--force', '--', ...changes.untracked], { cwd: root });
  return noChanges(await changedFiles(run, root));
}
