import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Real git repositories in temp dirs for tests and the demo: bare `upstream` and `origin` remotes
 * reached by file path, and a clone with a mirror branch and a trunk carrying a patch queue.
 * Never depends on the user's global git config (HOME-independent env, signing off).
 */
export const fixtureGitEnv: NodeJS.ProcessEnv = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Fixture Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Fixture Committer',
  GIT_COMMITTER_EMAIL: 'committer@example.com',
  GIT_TERMINAL_PROMPT: '0',
};

/** Run git synchronously in a fixture; throws with stderr on failure (fixtures must be exact). */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: { ...process.env, ...fixtureGitEnv },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** `git <args>` in `cwd` (as `git` runs it): true when it exits 0, false otherwise (its output dropped). */
export function gitSucceeds(cwd: string, ...args: string[]): boolean {
  try {
    git(cwd, ...args);
    return true;
  } catch {
    return false;
  }
}

export function makeTempDir(prefix = 'rebase-daily-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function writeFile(repo: string, path: string, content: string | Buffer): void {
  const full = join(repo, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
}

/** Write files (null deletes) and commit them; returns the new commit SHA. */
export function commitFiles(repo: string, files: Record<string, string | Buffer | null>, message: string): string {
  for (const [path, content] of Object.entries(files)) {
    if (content === null) git(repo, 'rm', '-q', '--', path);
    else {
      writeFile(repo, path, content);
      git(repo, 'add', '--', path);
    }
  }
  git(repo, 'commit', '-q', '--allow-empty', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

export function initRepo(dir: string, branch = 'main'): string {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', branch);
  configureRepo(dir);
  return dir;
}

/** Local config every fixture repo gets, independent of the user's global config. */
export function configureRepo(dir: string): void {
  git(dir, 'config', 'user.name', 'Fixture Author');
  git(dir, 'config', 'user.email', 'author@example.com');
  git(dir, 'config', 'commit.gpgsign', 'false');
  git(dir, 'config', 'tag.gpgsign', 'false');
  git(dir, 'config', 'gc.auto', '0');
}

export interface ForkFixtureOptions {
  /** Files of upstream's first commit. */
  base?: Record<string, string>;
  /** The fork's patch queue on the trunk, oldest first. */
  patches?: { files: Record<string, string | null>; message: string }[];
  /** Commits upstream makes after the fork branched (not yet absorbed). */
  upstreamCommits?: { files: Record<string, string | null>; message: string }[];
  trunk?: string;
  mirror?: string;
  upstreamBranch?: string;
}

export interface ForkFixture {
  root: string;
  upstreamBare: string;
  originBare: string;
  /** The fork clone rebase-daily operates on (remotes origin + upstream). */
  clone: string;
  /** A writable clone of upstream, to add upstream commits later. */
  upstreamWork: string;
  trunk: string;
  mirror: string;
  upstreamBranch: string;
  /** Add commits to upstream (pushed to the bare repo); returns the new upstream tip. */
  advanceUpstream(commits: { files: Record<string, string | null>; message: string }[]): string;
  /** A second clone of origin (another machine/person), for lease tests. */
  otherClone(name?: string): string;
  cleanup(): void;
}

/**
 * Build: upstream (bare) ← upstreamWork; origin (bare) holding mirror=upstream base and the trunk
 * (base + patches); clone of origin with `upstream` remote, trunk checked out. Upstream commits in
 * `upstreamCommits` are made after the fork branched.
 */
export function createForkFixture(options: ForkFixtureOptions = {}): ForkFixture {
  const root = makeTempDir('rebase-daily-fork-');
  const trunk = options.trunk ?? 'fork/trunk';
  const mirror = options.mirror ?? 'main';
  const upstreamBranch = options.upstreamBranch ?? 'main';
  const upstreamBare = join(root, 'upstream.git');
  const originBare = join(root, 'origin.git');
  const upstreamWork = join(root, 'upstream-work');
  const clone = join(root, 'fork');

  git(root, 'init', '-q', '--bare', '-b', upstreamBranch, upstreamBare);
  initRepo(upstreamWork, upstreamBranch);
  commitFiles(upstreamWork, options.base ?? { 'README.md': 'upstream project\n', 'src/lib.txt': 'line 1\nline 2\nline 3\n' }, 'upstream: initial');
  git(upstreamWork, 'remote', 'add', 'origin', upstreamBare);
  git(upstreamWork, 'push', '-q', 'origin', upstreamBranch);

  git(root, 'init', '-q', '--bare', '-b', mirror, originBare);
  git(root, 'clone', '-q', '-b', upstreamBranch, upstreamBare, clone);
  configureRepo(clone);
  git(clone, 'remote', 'rename', 'origin', 'upstream');
  git(clone, 'remote', 'add', 'origin', originBare);
  if (mirror !== upstreamBranch) git(clone, 'branch', '-q', '-m', upstreamBranch, mirror);
  git(clone, 'push', '-q', 'origin', `${mirror}:refs/heads/${mirror}`);
  git(clone, 'branch', '-q', '--set-upstream-to', `origin/${mirror}`, mirror);
  git(clone, 'checkout', '-q', '-b', trunk);
  for (const patch of options.patches ?? [{ files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes' }]) {
    commitFiles(clone, patch.files, patch.message);
  }
  git(clone, 'push', '-q', '-u', 'origin', trunk);

  const advanceUpstream = (commits: { files: Record<string, string | null>; message: string }[]): string => {
    for (const c of commits) commitFiles(upstreamWork, c.files, c.message);
    git(upstreamWork, 'push', '-q', 'origin', upstreamBranch);
    return git(upstreamWork, 'rev-parse', 'HEAD');
  };
  if (options.upstreamCommits?.length) advanceUpstream(options.upstreamCommits);
  git(clone, 'fetch', '-q', 'upstream');
  git(clone, 'fetch', '-q', 'origin');

  let others = 0;
  return {
    root,
    upstreamBare,
    originBare,
    clone,
    upstreamWork,
    trunk,
    mirror,
    upstreamBranch,
    advanceUpstream,
    otherClone(name = `other-${++others}`) {
      const dir = join(root, name);
      git(root, 'clone', '-q', originBare, dir);
      configureRepo(dir);
      return dir;
    },
    cleanup: () => removeDir(root),
  };
}

/** Write a rebase-daily.json for a fixture and return its path. */
export function writeFixtureConfig(fixture: ForkFixture, extra: Record<string, unknown> = {}, path = join(fixture.root, 'rebase-daily.json')): string {
  const config = { repo: fixture.clone, trunk: fixture.trunk, mirror: fixture.mirror, upstreamBranch: fixture.upstreamBranch, ...extra };
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}
