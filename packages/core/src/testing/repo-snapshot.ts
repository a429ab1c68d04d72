import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fixtureGitEnv } from './git-fixture.js';

/**
 * What a run may have touched, captured so a test can assert that nothing but what an item allows
 * changed: every ref of the repo and of each bare remote, `git status --porcelain`, `git worktree
 * list`, every file under the repo (content hashed, `.git` included but its object store, whose
 * new unreferenced objects harm nothing) and the names beside the repo (its parent folder).
 */
export interface RepoSnapshot {
  /** area → key → value; diffs are per key. */
  areas: Record<string, Record<string, string>>;
}

export interface SnapshotTarget {
  repo: string;
  /** Bare remotes by path (the fixture's upstream.git and origin.git). */
  remotes?: string[];
  /** The folder whose entries count as "beside the repo" (default: the repo's parent). */
  beside?: string;
}

// GIT_OPTIONAL_LOCKS=0: `git status` must not refresh the index while we look at it.
const env = { ...process.env, ...fixtureGitEnv, GIT_OPTIONAL_LOCKS: '0' };

function gitOut(cwd: string, ...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    return `(git ${args.join(' ')} failed: ${(err as { stderr?: string }).stderr ?? String(err)})`;
  }
}

function lines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of text.split('\n').filter((x) => x.length > 0)) out[l] = '';
  return out;
}

function refs(cwd: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of gitOut(cwd, 'for-each-ref', '--format=%(refname) %(objectname) %(symref)').split('\n').filter(Boolean)) {
    const [name, sha, symref] = l.split(' ');
    out[name] = symref ? `-> ${symref}` : sha;
  }
  const head = gitOut(cwd, 'symbolic-ref', '-q', 'HEAD').trim() || gitOut(cwd, 'rev-parse', '-q', '--verify', 'HEAD').trim();
  out.HEAD = head;
  return out;
}

function files(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      const rel = relative(root, full);
      if (rel === join('.git', 'objects')) continue;
      const st = lstatSync(full);
      if (st.isSymbolicLink()) out[rel] = `symlink ${readlinkSync(full)}`;
      else if (st.isDirectory()) {
        out[`${rel}/`] = 'dir';
        walk(full);
      } else out[rel] = createHash('sha1').update(readFileSync(full)).digest('hex');
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

/** Take a snapshot (synchronously, with plain git; never through the code under test). */
export function snapshotRepo(target: SnapshotTarget): RepoSnapshot {
  const { repo } = target;
  const areas: RepoSnapshot['areas'] = {};
  if (existsSync(join(repo, '.git'))) {
    areas['refs'] = refs(repo);
    areas['status'] = lines(gitOut(repo, 'status', '--porcelain=v1', '--untracked-files=all', '--ignored=no'));
    areas['worktrees'] = lines(gitOut(repo, 'worktree', 'list', '--porcelain'));
  }
  areas['files'] = files(repo);
  const beside = target.beside ?? dirname(repo);
  areas['beside'] = existsSync(beside) ? Object.fromEntries(readdirSync(beside).map((n) => [n, ''])) : {};
  for (const remote of target.remotes ?? []) areas[`remote ${basename(remote)}`] = refs(remote);
  return { areas };
}

/**
 * Differences as lines `<area> <+|-|~> <key>`: `refs + refs/heads/mian`, `files ~ .git/index`,
 * `beside + locks`, `remote origin.git ~ refs/heads/main`.
 */
export function diffSnapshots(before: RepoSnapshot, after: RepoSnapshot): string[] {
  const out: string[] = [];
  for (const area of new Set([...Object.keys(before.areas), ...Object.keys(after.areas)])) {
    const a = before.areas[area] ?? {};
    const b = after.areas[area] ?? {};
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!(key in a)) out.push(`${area} + ${key}`);
      else if (!(key in b)) out.push(`${area} - ${key}`);
      else if (a[key] !== b[key]) out.push(`${area} ~ ${key}`);
    }
  }
  return out.sort();
}

/** The differences no pattern in `allowed` accounts for (a test expects this to be empty). */
export function unexpectedChanges(before: RepoSnapshot, after: RepoSnapshot, allowed: readonly RegExp[] = []): string[] {
  return diffSnapshots(before, after).filter((d) => !allowed.some((re) => re.test(d)));
}

/**
 * Changes every run that got past its refusals may make, and nothing else: its scratch dir inside
 * the repo and the exclude line that keeps it untracked. (`.git/index` is rewritten by `git status`
 * refreshing stat data; its content is covered by the `status` area.) A run that fetches also
 * writes `.git/FETCH_HEAD`: add `FETCHED` for those.
 */
export const RUN_BOOKKEEPING: readonly RegExp[] = [
  /^files [+~-] \.scratch(\/|$)/,
  /^files [+~] \.git\/info\/(exclude)?$/,
  /^files ~ \.git\/index$/,
  // Files a test put in the scratch dir before the run stop showing once the run excludes it.
  /^status - \?\? \.scratch\//,
];

/** What `git fetch` writes even when nothing changed on the remotes. */
export const FETCHED: readonly RegExp[] = [/^files [+~] \.git\/FETCH_HEAD$/];
