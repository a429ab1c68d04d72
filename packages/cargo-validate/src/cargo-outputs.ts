import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Runner } from '@rebase-daily/core';

/**
 * The `Cargo.lock` files cargo may create while the run validates (or reads metadata) in `workdir`:
 * one per directory from `workdir` up to the repo root that has a `Cargo.toml` and no `Cargo.lock`,
 * tracked neither in the checkout nor in `rev` (the tree about to be validated). In a fork that
 * commits none, cargo writes one at the workspace root; it is the run's file, to be on record
 * before cargo runs, so a run killed during cargo leaves it for the next run's cleanup rather than
 * a "commit or stash" refusal.
 */
export async function cargoLockfilesToRecord(run: Runner, repo: string, workdir: string, rev: string): Promise<string[]> {
  const root = resolve(repo);
  const out: string[] = [];
  for (let dir = resolve(workdir); dir === root || dir.startsWith(`${root}${sep}`); dir = dirname(dir)) {
    const lock = join(dir, 'Cargo.lock');
    if (existsSync(join(dir, 'Cargo.toml')) && !existsSync(lock)) {
      const rel = relative(root, lock).split(sep).join('/');
      const tracked = await run('git', ['cat-file', '-e', `${rev}:${rel}`], { cwd: root });
      if (tracked.exitCode !== 0) out.push(lock);
    }
    if (dir === root) break;
  }
  return out;
}
