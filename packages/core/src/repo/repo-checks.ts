import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ResolvedConfig } from '../config/config.js';
import { errors, RebaseDailyError } from '../errors/errors.js';
import type { Runner } from '../process/process.js';
import { readRefs } from '../process/git-basics.js';

/**
 * Checks of the config against the disk and the repository that read and never write: every run
 * and `doctor` go through these, so the refusal and doctor's verdict are one definition.
 */

/** Directories a `scratchDir` must not be: the run creates `locks/`, `rebase-daily/` and `cargo-target/` in it. */
export const SYSTEM_DIRS: readonly string[] = [
  '/', '/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib32', '/lib64', '/libx32', '/media', '/mnt', '/opt', '/proc', '/root', '/run',
  '/sbin', '/srv', '/sys', '/tmp', '/usr', '/var', '/var/tmp', '/Users', '/Library', '/System', '/Applications', '/private', '/private/tmp',
];
/** System trees a `scratchDir` must not be inside of either (owned by the OS and its packages). */
export const SYSTEM_TREES: readonly string[] = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/sbin', '/sys', '/usr', '/System'];

/** `repo` must be an existing directory that is the top level of a git work tree. Throws exit-2 errors; writes nothing. */
export async function checkRepoPath(run: Runner, repoPath: string): Promise<void> {
  if (!existsSync(repoPath)) throw errors.repoPath(repoPath, 'missing');
  if (!statSync(repoPath).isDirectory()) throw errors.repoPath(repoPath, 'file');
  const r = await run('git', ['rev-parse', '--show-cdup'], { cwd: repoPath });
  if (r.exitCode !== 0) throw errors.repoPath(repoPath, 'not-a-repo');
  // A repo path inside a work tree: every stage reads and reports paths from the top (rebase's and
  // merge-tree's conflicted files), and the scratch folder would land in the tree as untracked
  // files, dirtying it for the next run.
  const cdup = r.stdout.trim();
  if (cdup) throw errors.notTopLevel(repoPath, resolve(repoPath, cdup));
}

const within = (child: string, parent: string) => child === parent || child.startsWith(parent.endsWith(sep) ? parent : `${parent}${sep}`);

/**
 * Why `scratchPath` is not a place the run may write, or null when it is. Inside the repo (the
 * default `.scratch`) is always fine; elsewhere it must not be `/`, a system directory (a dedicated
 * folder under /tmp or /var/tmp is fine), inside an OS tree, the repo itself or a folder holding it.
 */
export function scratchDirProblem(scratchPath: string, repoPath: string): string | null {
  const scratch = resolve(scratchPath);
  const repo = resolve(repoPath);
  if (scratch === repo) return 'which is the repo itself';
  // git's own directory: the run's lock, reports and cargo target dir would sit among git's files.
  if (within(scratch, join(repo, '.git'))) return "which is inside the repo's git directory";
  if (within(scratch, repo)) return null;
  if (SYSTEM_DIRS.includes(scratch)) return 'which is a system directory';
  if (within(repo, scratch)) return `which contains the repo ${repo}`;
  if (SYSTEM_TREES.some((d) => within(scratch, d))) return 'which is inside a system directory';
  return null;
}

/**
 * Why `scratchPath`, inside the repo, is not the run's to write: it holds tracked files (`"src"`),
 * or it is inside the git directory (`.git` of a linked worktree or a `--separate-git-dir` clone).
 * The exclude line the run adds for its scratch dir would hide every new file there from
 * `git status`. Reads only (`git ls-files`, `git rev-parse`); null when the place is fine.
 */
export async function scratchDirRepoProblem(run: Runner, scratchPath: string, repoPath: string): Promise<string | null> {
  const why = scratchDirProblem(scratchPath, repoPath);
  if (why) return why;
  const scratch = resolve(scratchPath);
  if (!within(scratch, resolve(repoPath))) return null;
  for (const which of ['--git-dir', '--git-common-dir'] as const) {
    const r = await run('git', ['rev-parse', which], { cwd: repoPath });
    if (r.exitCode === 0 && within(scratch, resolve(repoPath, r.stdout.trim()))) return "which is inside the repo's git directory";
  }
  const rel = relative(resolve(repoPath), scratch).split(sep).join('/');
  const r = await run('git', ['ls-files', '-z', '--', `:(top,literal)${rel}`], { cwd: repoPath });
  const tracked = r.exitCode === 0 ? r.stdout.split('\0').filter(Boolean) : [];
  if (tracked.length) return `which holds ${tracked.length} tracked file(s) (${tracked.slice(0, 3).join(', ')}${tracked.length > 3 ? ', …' : ''}): new files there would vanish from \`git status\``;
  return null;
}

/** Throws `E_CONFIG` when `scratchDir` resolves somewhere the run must not write. Writes nothing. */
export async function checkScratchDir(run: Runner, config: ResolvedConfig): Promise<void> {
  const why = await scratchDirRepoProblem(run, config.scratchPath, config.repoPath);
  if (why) throw errors.scratchDir(config.scratchPath, why);
}

/** Levenshtein distance (insert, delete, substitute: 1 each). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** The candidate nearest to `name` by edit distance (ties: the first in order), or null when there is none. */
export function closestMatch(name: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

/** Branch names, short (`main`, `fork/trunk`), where the config's branches must exist. */
export interface KnownBranches {
  local: string[];
  /** On the fork remote. */
  fork: string[];
  /** On the upstream remote. */
  upstream: string[];
}

/**
 * rebase-daily never creates a branch the config names: `trunk` and `mirror` must exist locally or
 * on the fork remote, `upstreamBranch` on upstream. One `E_CONFIG` error per field that does not,
 * naming the branches that do exist and the closest match. Pure: the caller lists the branches.
 */
export function configBranchProblems(config: Pick<ResolvedConfig, 'trunk' | 'mirror' | 'upstreamBranch' | 'remotes'>, known: KnownBranches): RebaseDailyError[] {
  const out: RebaseDailyError[] = [];
  const forkSide = [...new Set([...known.local, ...known.fork])].sort();
  for (const field of ['trunk', 'mirror'] as const) {
    const name = config[field];
    if (!forkSide.includes(name)) out.push(errors.configBranch(field, name, `locally or on ${config.remotes.fork}`, forkSide, closestMatch(name, forkSide)));
  }
  if (!known.upstream.includes(config.upstreamBranch)) {
    const names = [...known.upstream].sort();
    out.push(errors.configBranch('upstreamBranch', config.upstreamBranch, `on ${config.remotes.upstream}`, names, closestMatch(config.upstreamBranch, names)));
  }
  return out;
}

/** One error for all of them (the user sees every problem at once), or null. */
export function combineConfigErrors(problems: RebaseDailyError[]): RebaseDailyError | null {
  if (problems.length <= 1) return problems[0] ?? null;
  // Every problem here is a config error (exit 2): one E_CONFIG naming them all.
  return errors.config(problems.map((p) => p.message).join('; '), { problems: problems.map((p) => p.toJSON()) });
}

/** Short names of the refs under `prefix` (`refs/heads/`, `refs/remotes/origin/`). */
export async function refsUnder(run: Runner, cwd: string, prefix: string): Promise<string[]> {
  const r = await run('git', ['for-each-ref', '--format=%(refname)', prefix], { cwd });
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith(prefix))
    .map((l) => l.slice(prefix.length))
    .filter((n) => n !== 'HEAD');
}

/**
 * The branches as this clone knows them: local heads and the remote-tracking refs of both remotes.
 * After preflight's `git fetch --prune` the remote-tracking refs are the remotes' branches.
 */
export async function knownBranchesFromRefs(run: Runner, config: ResolvedConfig): Promise<KnownBranches> {
  const { fork, upstream } = config.remotes;
  return knownBranchesFrom(await readRefs(run, config.repoPath, ['refs/heads/', `refs/remotes/${fork}/`, `refs/remotes/${upstream}/`]), config);
}

/** `KnownBranches` from refs already read (full ref name → SHA). Pure. */
export function knownBranchesFrom(refs: ReadonlyMap<string, string>, config: Pick<ResolvedConfig, 'remotes'>): KnownBranches {
  const under = (prefix: string) => [...refs.keys()].filter((r) => r.startsWith(prefix)).map((r) => r.slice(prefix.length)).filter((n) => n !== 'HEAD');
  return { local: under('refs/heads/'), fork: under(`refs/remotes/${config.remotes.fork}/`), upstream: under(`refs/remotes/${config.remotes.upstream}/`) };
}

/** Branch names of `git ls-remote --heads <remote>`, or null when the remote cannot be listed. */
export async function lsRemoteHeads(run: Runner, cwd: string, remote: string, timeoutMs = 120_000): Promise<string[] | null> {
  const r = await run('git', ['ls-remote', '--heads', remote], { cwd, timeoutMs });
  if (r.exitCode !== 0) return null;
  return r.stdout
    .split('\n')
    .map((l) => l.split('\t')[1] ?? '')
    .filter((ref) => ref.startsWith('refs/heads/'))
    .map((ref) => ref.slice('refs/heads/'.length));
}

/** Is `path` relative-inside `root` (or equal)? */
export function isInside(path: string, root: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
