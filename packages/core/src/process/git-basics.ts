import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Runner } from './process.js';

/**
 * The handful of read-only git probes every stage needs. Probes are expected to fail (a ref that
 * does not exist); they return null/false instead of throwing.
 */
export async function revParse(run: Runner, cwd: string, rev: string): Promise<string | null> {
  const r = await run('git', ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { cwd });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

/**
 * Every ref under `patterns` (full names or prefixes, as `git for-each-ref` takes them) with the
 * commit it points to, in one process. A ref to a non-commit (an annotated tag) is peeled; a ref to
 * something that is not a commit at all is left out, as `rev-parse --verify <ref>^{commit}` fails.
 */
export async function readRefs(run: Runner, cwd: string, patterns: readonly string[]): Promise<Map<string, string>> {
  const r = await run('git', ['for-each-ref', '--format=%(objectname) %(objecttype) %(*objectname) %(*objecttype) %(refname)', ...patterns], { cwd });
  return parseRefLines(r.exitCode === 0 ? r.stdout : '');
}

/** Parse `readRefs`' for-each-ref lines: `<sha> <type> <peeled sha> <peeled type> <refname>` (peeled empty for non-tags). */
export function parseRefLines(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{40,64}) (\w+) ([0-9a-f]{40,64})? ?(\w+)? ?(\S.*)$/.exec(line);
    if (!m) continue;
    const [, sha, type, peeled, peeledType, ref] = m;
    if (type === 'commit') out.set(ref!, sha!);
    else if (peeledType === 'commit') out.set(ref!, peeled!);
  }
  return out;
}

export async function currentBranch(run: Runner, cwd: string): Promise<string | null> {
  const r = await run('git', ['symbolic-ref', '--quiet', '--short', 'HEAD'], { cwd });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

export async function isAncestor(run: Runner, cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  const r = await run('git', ['merge-base', '--is-ancestor', ancestor, descendant], { cwd });
  return r.exitCode === 0;
}

/** Porcelain status lines, ignoring nothing: an untracked file makes the tree dirty too. */
export async function statusPorcelain(run: Runner, cwd: string): Promise<string[]> {
  const r = await run('git', ['status', '--porcelain', '--untracked-files=all'], { cwd });
  return r.stdout.split('\n').filter((l) => l.trim().length > 0);
}

export async function gitDir(run: Runner, cwd: string, which: '--git-dir' | '--git-common-dir' = '--git-dir'): Promise<string | null> {
  const r = await run('git', ['rev-parse', which], { cwd });
  if (r.exitCode !== 0) return null;
  const p = r.stdout.trim();
  return isAbsolute(p) ? p : resolve(cwd, p);
}

export type GitOperation = 'rebase' | 'am' | 'merge' | 'cherry-pick' | 'revert' | 'bisect';

/**
 * Which operation is in progress, if any, read from the state files git keeps in the (worktree's)
 * git dir. `rebase-apply` is shared by `git am` and the apply backend of `git rebase`; git marks
 * the former with an `applying` file. A multi-commit cherry-pick or revert keeps `sequencer/` between
 * picks, after the `*_HEAD` file of a resolved stop is gone.
 */
export function operationInProgress(gitDirPath: string): GitOperation | null {
  const has = (f: string) => existsSync(join(gitDirPath, f));
  if (has('rebase-merge')) return 'rebase';
  if (has('rebase-apply')) return has('rebase-apply/applying') ? 'am' : 'rebase';
  if (has('MERGE_HEAD')) return 'merge';
  if (has('CHERRY_PICK_HEAD')) return 'cherry-pick';
  if (has('REVERT_HEAD')) return 'revert';
  if (has('sequencer/todo')) return /^revert /m.test(readFileSafe(join(gitDirPath, 'sequencer', 'todo'))) ? 'revert' : 'cherry-pick';
  if (has('BISECT_LOG')) return 'bisect';
  return null;
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The commands that finish and that abort an operation, run in `cwd` (for messages and doctor). */
export function operationCommands(op: GitOperation, cwd: string): { finish: string; abort: string } {
  const g = `git -C ${cwd.includes(' ') ? JSON.stringify(cwd) : cwd}`;
  switch (op) {
    case 'merge':
      return { finish: `${g} commit`, abort: `${g} merge --abort` };
    case 'bisect':
      return { finish: `${g} bisect reset`, abort: `${g} bisect reset` };
    default:
      return { finish: `${g} ${op} --continue`, abort: `${g} ${op} --abort` };
  }
}

/**
 * What identifies a rebase in progress: the branch it rebases (`head-name`), the commit it started
 * from (`orig-head`) and the commit it replays onto (`onto`). Null when no rebase is in progress.
 */
export function rebaseIdentity(gitDirPath: string): { headName: string | null; origHead: string | null; onto: string | null } | null {
  const sub = existsSync(join(gitDirPath, 'rebase-merge')) ? 'rebase-merge' : existsSync(join(gitDirPath, 'rebase-apply')) ? 'rebase-apply' : null;
  if (!sub) return null;
  const read = (f: string) => readFileSafe(join(gitDirPath, sub, f)).trim() || null;
  return { headName: read('head-name'), origHead: read('orig-head'), onto: read('onto') };
}

export async function remoteExists(run: Runner, cwd: string, remote: string): Promise<boolean> {
  const r = await run('git', ['remote', 'get-url', remote], { cwd });
  return r.exitCode === 0;
}

/** `git ls-remote` one branch; null when the branch does not exist there, undefined on failure. */
export async function lsRemoteBranch(run: Runner, cwd: string, remote: string, branch: string, timeoutMs = 120_000): Promise<string | null | undefined> {
  const r = await run('git', ['ls-remote', '--heads', remote, `refs/heads/${branch}`], { cwd, timeoutMs });
  if (r.exitCode !== 0) return undefined;
  const line = r.stdout.split('\n').find((l) => l.endsWith(`\trefs/heads/${branch}`));
  return line ? line.split('\t')[0] : null;
}

/**
 * Make sure the scratch dir never dirties the tree: add it to the common dir's info/exclude
 * (shared by every worktree) when it lives inside the repo.
 */
export async function excludeScratch(run: Runner, repo: string, scratchPath: string): Promise<string | null> {
  const rel = relative(repo, scratchPath);
  if (rel.startsWith('..') || isAbsolute(rel) || rel === '') return null;
  const common = await gitDir(run, repo, '--git-common-dir');
  if (!common) return null;
  const infoDir = join(common, 'info');
  const exclude = join(infoDir, 'exclude');
  const line = `/${rel.split('\\').join('/')}/`;
  const current = existsSync(exclude) ? readFileSync(exclude, 'utf8') : '';
  if (current.split('\n').some((l) => l.trim() === line)) return null;
  mkdirSync(infoDir, { recursive: true });
  appendFileSync(exclude, `${current.length && !current.endsWith('\n') ? '\n' : ''}# rebase-daily scratch (reports, locks, caches)\n${line}\n`);
  return `added \`${line}\` to ${exclude} (keeps the scratch folder out of \`git status\`)`;
}

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

/** Every worktree of the repo (empty when git cannot list them). */
export async function listWorktrees(run: Runner, repo: string): Promise<WorktreeEntry[]> {
  const r = await run('git', ['worktree', 'list', '--porcelain'], { cwd: repo });
  return r.exitCode === 0 ? parseWorktreeList(r.stdout) : [];
}

/** `git version 2.39.5` → [2, 39, 5] (a missing patch level is 0); null when it is not git's version line. */
export function parseGitVersion(text: string): [number, number, number] | null {
  const m = /git version (\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : null;
}

/** Which worktree (absolute path) has `refs/heads/<branch>` checked out, if any. */
export async function worktreeHolding(run: Runner, repo: string, branch: string): Promise<string | null> {
  return (await listWorktrees(run, repo)).find((w) => w.branch === branch)?.path ?? null;
}
