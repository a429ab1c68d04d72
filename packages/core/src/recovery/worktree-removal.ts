import { existsSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { parseWorktreeList } from '../process/git-basics.js';
import type { Runner } from '../process/process.js';

export interface WorktreeRemoval {
  /** What was done, checked after doing it, for the report; null when there was nothing to remove. */
  action: string | null;
  /** Why it is still there, with the command that removes it; null when it is gone. */
  problem: string | null;
}

export interface RemoveWorktreeOptions {
  /** How the report names it ("temporary worktree", "resolution worktree"); default "worktree". */
  what?: string;
  env?: NodeJS.ProcessEnv;
}

/** A path as git writes it (symlinks resolved), also for a directory that no longer exists. */
function canonical(path: string): string {
  const p = resolve(path);
  if (existsSync(p)) return realpathSync(p);
  const parent = dirname(p);
  return existsSync(parent) ? join(realpathSync(parent), basename(p)) : p;
}

/**
 * Remove the one worktree at `path`, and nothing else: the one place a worktree is removed.
 * `git worktree remove --force --force` (the second --force takes a locked or mid-rebase one), then
 * the directory if anything is left of it. When its directory was already gone and git still lists
 * it, only that worktree's admin dir (`<common dir>/worktrees/<name>`, found by its `gitdir` file)
 * is removed — never `git worktree prune`, which would also forget the user's own worktrees whose
 * directories are gone (on an unplugged disk, say).
 */
export async function removeWorktree(run: Runner, repo: string, path: string, options: RemoveWorktreeOptions = {}): Promise<WorktreeRemoval> {
  const what = options.what ?? 'worktree';
  const target = canonical(path);
  const call = { cwd: repo, env: options.env };
  const registered = async () => {
    const r = await run('git', ['worktree', 'list', '--porcelain'], call);
    return r.exitCode === 0 && parseWorktreeList(r.stdout).some((w) => canonical(w.path) === target);
  };
  const wasRegistered = await registered();
  const dirExisted = existsSync(target);
  if (!wasRegistered && !dirExisted) return { action: null, problem: null };
  const unsafe = await notATemporaryWorktree(run, repo, target, call);
  if (unsafe) return { action: null, problem: `refused to remove ${path}: ${unsafe}; the record that names it as a ${what} is wrong — nothing was removed` };

  if (wasRegistered && dirExisted) await run('git', ['worktree', 'remove', '--force', '--force', target], call);
  if (existsSync(target)) rmSync(target, { recursive: true, force: true });
  let adminRemoved: string | null = null;
  if (await registered()) {
    adminRemoved = await adminDirOf(run, repo, target, options.env);
    if (adminRemoved) rmSync(adminRemoved, { recursive: true, force: true });
  }
  if (existsSync(target) || (await registered())) {
    return { action: null, problem: `could not remove ${what} ${path}; run \`git -C ${repo} worktree remove --force ${path}\`` };
  }
  const entry = adminRemoved ? ` and its entry ${adminRemoved}${dirExisted ? '' : ' (its directory was already gone)'}` : '';
  return { action: `removed ${what} ${path}${entry}`, problem: null };
}

/** The admin dir of the worktree at `target` (`<common>/worktrees/<name>` whose `gitdir` names `<target>/.git`), or null. */
async function adminDirOf(run: Runner, repo: string, target: string, env?: NodeJS.ProcessEnv): Promise<string | null> {
  const r = await run('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: repo, env });
  if (r.exitCode !== 0) return null;
  const common = r.stdout.trim();
  const admin = join(isAbsolute(common) ? common : resolve(repo, common), 'worktrees');
  if (!existsSync(admin)) return null;
  for (const name of readdirSync(admin)) {
    const gitdirFile = join(admin, name, 'gitdir');
    if (!existsSync(gitdirFile)) continue;
    const gitdir = readFileSync(gitdirFile, 'utf8').trim();
    if (canonical(dirname(isAbsolute(gitdir) ? gitdir : resolve(admin, name, gitdir))) === target) return join(admin, name);
  }
  return null;
}

/**
 * Why `target` must never be removed as a temporary worktree, or null: the repository's main
 * worktree, the repository itself or a folder holding it, or a repository of its own (a `.git`
 * directory, where a linked worktree has a `.git` file). A damaged or hand-edited record naming such
 * a path would otherwise have `rmSync` delete it when git refuses.
 */
async function notATemporaryWorktree(run: Runner, repo: string, target: string, call: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<string | null> {
  const top = await run('git', ['rev-parse', '--path-format=absolute', '--show-toplevel'], call);
  const repoRoot = canonical(top.exitCode === 0 && top.stdout.trim() ? top.stdout.trim() : repo);
  if (repoRoot === target || repoRoot.startsWith(`${target}${sep}`) || target === sep) return `it is or holds the repository ${repoRoot}`;
  const list = await run('git', ['worktree', 'list', '--porcelain'], call);
  const main = list.exitCode === 0 ? parseWorktreeList(list.stdout)[0] : undefined;
  if (main && canonical(main.path) === target) return 'it is the main worktree';
  const dotGit = join(target, '.git');
  if (existsSync(dotGit) && statSync(dotGit).isDirectory()) return 'it is a repository of its own (its .git is a directory)';
  return null;
}
