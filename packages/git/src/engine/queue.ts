import type { Runner } from '@rebase-daily/core';
import { type CommitInfo, parseCatFileBatch, parseCommitObject } from './commit-object.js';

/** A queue commit plus what replay needs to know about its parent. */
export interface QueueCommit extends CommitInfo {
  /** Tree of the first parent (the replay's merge base); null for a root commit. */
  parentTree: string | null;
  /** Empty from the start (tree equals its parent's tree): rebase keeps these. */
  emptyFromStart: boolean;
}

export interface Queue {
  /** What rebase would replay, oldest first. */
  commits: QueueCommit[];
  /** Patch-queue commits already upstream (same patch id), which rebase drops before replaying. */
  alreadyUpstream: string[];
}

export interface EngineCallOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export interface CherryMark {
  sha: string;
  parents: string[];
  /** `=`: the same patch as an upstream commit. */
  same: boolean;
}

/** Parse `git rev-list --cherry-mark --parents` lines (`+<sha> <parents>` replays, `=` same patch as upstream). */
export function parseCherryMarks(stdout: string): CherryMark[] {
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [sha, ...parents] = l.slice(1).split(' ');
      return { sha, parents, same: l[0] === '=' };
    });
}

/** Read commits in one `git cat-file --batch` call; a map by SHA. */
export async function readCommits(run: Runner, repo: string, shas: readonly string[], options: EngineCallOptions = {}): Promise<Map<string, CommitInfo>> {
  const map = new Map<string, CommitInfo>();
  const unique = [...new Set(shas)];
  if (unique.length === 0) return map;
  const r = await run('git', ['cat-file', '--batch'], { cwd: repo, env: options.env, timeoutMs: options.timeoutMs, input: `${unique.join('\n')}\n`, raw: true });
  if (r.exitCode !== 0) throw new Error(`git cat-file --batch failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  for (const obj of parseCatFileBatch(r.stdout)) {
    if (obj.type !== 'commit') throw new Error(`cat-file: ${obj.sha} is a ${obj.type}, not a commit`);
    map.set(obj.sha, parseCommitObject(obj.sha, obj.body));
  }
  return map;
}

/**
 * The commits `git rebase <upstream>` would replay from `trunk`, with their metadata. The list is
 * `git rev-list --reverse --no-merges --right-only --topo-order <upstream>...<trunk>` (without
 * --topo-order the order differs from rebase's when the queue holds merges). Rebase's sequencer marks
 * cherry-picks rather than hiding them and drops a marked commit only when it is not empty, so this
 * uses `--cherry-mark` and applies the same rule (`--cherry-pick` would also drop an empty commit
 * whose empty patch matches an empty upstream commit). Two spawns: rev-list and one cat-file --batch.
 */
export async function listQueue(run: Runner, repo: string, upstreamSha: string, trunkSha: string, options: EngineCallOptions = {}): Promise<Queue> {
  return resolveQueue(run, repo, await listMarks(run, repo, upstreamSha, trunkSha, options), options);
}

/** The first half of listQueue: rev-list's marked commit list (no metadata yet). */
export async function listMarks(run: Runner, repo: string, upstreamSha: string, trunkSha: string, options: EngineCallOptions = {}): Promise<CherryMark[]> {
  const r = await run('git', ['rev-list', '--reverse', '--no-merges', '--cherry-mark', '--right-only', '--topo-order', '--parents', `${upstreamSha}...${trunkSha}`], {
    cwd: repo,
    env: options.env,
    timeoutMs: options.timeoutMs,
  });
  if (r.exitCode !== 0) throw new Error(`git rev-list ${upstreamSha}...${trunkSha} failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  return parseCherryMarks(r.stdout);
}

/** The second half of listQueue: metadata for the marked commits and rebase's drop rule applied. */
export async function resolveQueue(run: Runner, repo: string, marks: readonly CherryMark[], options: EngineCallOptions = {}): Promise<Queue> {
  if (marks.length === 0) return { commits: [], alreadyUpstream: [] };
  // rev-list --parents names each first parent, so the queue and the parents' trees (the merge
  // bases) come from a single cat-file --batch.
  const infos = await readCommits(run, repo, [...marks.map((m) => m.sha), ...marks.flatMap((m) => m.parents.slice(0, 1))], options);
  const treeOf = (sha: string | undefined): string | null => (sha === undefined ? null : (infos.get(sha)?.tree ?? null));
  const commits: QueueCommit[] = [];
  const alreadyUpstream: string[] = [];
  for (const mark of marks) {
    const info = infos.get(mark.sha);
    if (!info) throw new Error(`cat-file: no data for ${mark.sha}`);
    const parentTree = treeOf(info.parents[0]);
    const emptyFromStart = parentTree !== null && parentTree === info.tree;
    if (mark.same && !emptyFromStart) {
      alreadyUpstream.push(mark.sha);
      continue;
    }
    commits.push({ ...info, parentTree, emptyFromStart });
  }
  return { commits, alreadyUpstream };
}

/** A queue commit as `git log --raw` outlines it: no whole commit object read. */
export interface OutlinedCommit extends CherryMark {
  tree: string;
  subject: string;
  /** What it changes against its first parent (`--raw --no-renames`). */
  paths: { status: string; path: string }[];
}

/**
 * Parse `git log -z --raw --format=%m%H %P%x00%T%x00%s` output. Per commit: `<mark><sha> <parents>`,
 * tree, subject, then raw entries `:<modes> <shas> <status>` each followed by one path (with
 * `--no-renames` there is never a second). Fields are taken by position, so a subject or path that
 * looks like a header cannot be misread.
 */
export function parseQueueLog(stdout: string): OutlinedCommit[] {
  const fields = stdout.split('\0');
  const out: OutlinedCommit[] = [];
  let i = 0;
  while (i < fields.length) {
    const head = fields[i].replace(/^\n/, '');
    if (!head) {
      i++;
      continue;
    }
    if (!/^[<>=+-][0-9a-f]{40,64}( |$)/.test(head)) throw new Error(`git log: unexpected output at field ${i}: ${JSON.stringify(head.slice(0, 80))}`);
    const [sha, ...parents] = head.slice(1).split(' ').filter(Boolean);
    const commit: OutlinedCommit = { sha, parents, same: head[0] === '=', tree: fields[i + 1] ?? '', subject: fields[i + 2] ?? '', paths: [] };
    i += 3;
    for (let raw = (fields[i] ?? '').replace(/^\n/, ''); raw.startsWith(':'); raw = (fields[i] ?? '').replace(/^\n/, '')) {
      commit.paths.push({ status: rawStatus(raw), path: fields[i + 1] ?? '' });
      i += 2;
    }
    out.push(commit);
  }
  return out;
}

/** Flags that keep `git log` / `git diff` output machine-readable whatever the user's config says. */
export const PLAIN_DIFF_FLAGS = ['--no-renames', '--no-ext-diff', '--no-textconv', '--ignore-submodules=none', '--no-relative', '--no-color'];

/**
 * What verify needs of the queue, in one `git log` (instead of rev-list + cat-file + diff-tree): the
 * same walk as listQueue (`--cherry-mark --right-only --no-merges --topo-order`), each commit's
 * parents, tree, subject and changed paths. Empty from the start = no changed paths (for a commit
 * with a parent); rebase's drop rule as in listQueue. `message` holds the subject only.
 */
export async function outlineQueue(
  run: Runner,
  repo: string,
  upstreamSha: string,
  trunkSha: string,
  options: EngineCallOptions = {},
): Promise<{ commits: (Pick<QueueCommit, 'sha' | 'parents' | 'message' | 'emptyFromStart' | 'tree'>)[]; alreadyUpstream: string[]; paths: Map<string, { status: string; path: string }[]> }> {
  const r = await run(
    'git',
    // -c diff.ignoreSubmodules=none: log (unlike rev-list and rebase) lets that setting into the
    // patch-ids of --cherry-mark, where it would mark a submodule bump as already upstream.
    ['-c', 'diff.ignoreSubmodules=none', 'log', '-z', '--raw', ...PLAIN_DIFF_FLAGS, '--no-show-signature', '--no-decorate', '--format=%m%H %P%x00%T%x00%s', '--reverse', '--no-merges', '--cherry-mark', '--right-only', '--topo-order', `${upstreamSha}...${trunkSha}`, '--'],
    { cwd: repo, env: options.env, timeoutMs: options.timeoutMs, raw: true },
  );
  if (r.exitCode !== 0) throw new Error(`git log ${upstreamSha}...${trunkSha} failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  const commits = [];
  const alreadyUpstream: string[] = [];
  const paths = new Map<string, { status: string; path: string }[]>();
  for (const c of parseQueueLog(r.stdout)) {
    paths.set(c.sha, c.paths);
    const emptyFromStart = c.parents.length > 0 && c.paths.length === 0;
    if (c.same && !emptyFromStart) alreadyUpstream.push(c.sha);
    else commits.push({ sha: c.sha, parents: c.parents, message: `${c.subject}\n`, emptyFromStart, tree: c.tree });
  }
  return { commits, alreadyUpstream, paths };
}

/** The status letter of a raw entry `:<modes> <shas> <status><score?>`. */
function rawStatus(raw: string): string {
  return raw.charAt(raw.lastIndexOf(' ') + 1);
}

/** Parse `--raw -z --no-renames` output (`:<modes> <shas> <status>\0<path>\0`...) into a path list. */
export function parseRawZ(stdout: string): { status: string; path: string }[] {
  const fields = stdout.split('\0');
  const out: { status: string; path: string }[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const raw = fields[i].replace(/^\n/, '');
    if (!raw.startsWith(':')) break;
    out.push({ status: rawStatus(raw), path: fields[i + 1] });
  }
  return out;
}
