import type { Runner } from '@rebase-daily/core';
import { type CommitInfo, parseCatFileBatch, parseCommitObject } from './commit-object.js';

/** A queue commit plus what replay needs to know about it. */
export interface QueueCommit extends CommitInfo {
  /** Empty from the start (tree equals its first parent's tree, the empty tree for a root commit): rebase keeps these. */
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

/** Read commits in one `git cat-file --batch` call; a map by SHA holding every SHA asked for (or it throws). */
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
  // cat-file answers under the full SHA: a name given any other way (abbreviated, a ref) would be
  // missing from the map, so every caller may look up exactly what it asked for.
  const unanswered = unique.find((sha) => !map.has(sha));
  if (unanswered !== undefined) throw new Error(`cat-file: no commit under the name ${unanswered} (pass full SHAs)`);
  return map;
}

/**
 * The commits `git rebase <upstream>` would replay from `trunk`, with their metadata: the one queue
 * walk (walkQueue, which applies rebase's drop rule) plus one `git cat-file --batch` for the commit
 * objects of what it replays.
 */
export async function listQueue(run: Runner, repo: string, upstreamSha: string, trunkSha: string, options: EngineCallOptions = {}): Promise<Queue> {
  const walk = await walkQueue(run, repo, upstreamSha, trunkSha, options);
  const infos = await readCommits(run, repo, walk.replay.map((c) => c.sha), options);
  return {
    // readCommits holds every SHA asked for or throws.
    commits: walk.replay.map((c) => ({ ...(infos.get(c.sha) as CommitInfo), emptyFromStart: emptyFromStart(c) })),
    alreadyUpstream: walk.alreadyUpstream.map((c) => c.sha),
  };
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

/** The queue as walkQueue reads it: every marked commit in rebase's order, and rebase's drop rule applied. */
export interface QueueWalk {
  /** Every commit of the walk, oldest first, with its cherry mark. */
  marked: OutlinedCommit[];
  /** What rebase replays, oldest first. */
  replay: OutlinedCommit[];
  /** What rebase drops: same patch as an upstream commit and not empty from the start. */
  alreadyUpstream: OutlinedCommit[];
}

/**
 * THE walk of the patch queue — verify, apply, the report's queue, localization and resolve all read
 * it here, so they cannot disagree. `git log --cherry-mark --right-only --no-merges --topo-order
 * <upstream>...<trunk>` (without --topo-order the order differs from rebase's when the queue holds
 * merges), with each commit's parents, tree, subject and changed paths, in one call. Rebase's
 * sequencer marks cherry-picks rather than hiding them and drops a marked commit only when it is not
 * empty from the start (no changed paths; a root commit counts against the empty tree), so this uses `--cherry-mark`
 * and applies the same rule (`--cherry-pick` would also drop an empty commit whose empty patch
 * matches an empty upstream commit).
 */
export async function walkQueue(run: Runner, repo: string, upstreamSha: string, trunkSha: string, options: EngineCallOptions = {}): Promise<QueueWalk> {
  const r = await run(
    'git',
    // -c diff.ignoreSubmodules=none: log (unlike rev-list and rebase) lets that setting into the
    // patch-ids of --cherry-mark, where it would mark a submodule bump as already upstream.
    // --root: a root commit's paths are its whole tree even under log.showRoot=false.
    ['-c', 'diff.ignoreSubmodules=none', 'log', '-z', '--raw', ...PLAIN_DIFF_FLAGS, '--no-show-signature', '--no-decorate', '--format=%m%H %P%x00%T%x00%s', '--root', '--reverse', '--no-merges', '--cherry-mark', '--right-only', '--topo-order', `${upstreamSha}...${trunkSha}`, '--'],
    { cwd: repo, env: options.env, timeoutMs: options.timeoutMs, raw: true },
  );
  if (r.exitCode !== 0) throw new Error(`git log ${upstreamSha}...${trunkSha} failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  const marked = parseQueueLog(r.stdout);
  const replay: OutlinedCommit[] = [];
  const alreadyUpstream: OutlinedCommit[] = [];
  for (const c of marked) (c.same && !emptyFromStart(c) ? alreadyUpstream : replay).push(c);
  return { marked, replay, alreadyUpstream };
}

/**
 * Empty from the start: a commit that changes no path against its first parent — for a root commit,
 * against the empty tree, which `--root` lists — as rebase's is_original_commit_empty decides.
 * Rebase keeps these even when marked as already upstream.
 */
function emptyFromStart(c: OutlinedCommit): boolean {
  return c.paths.length === 0;
}

/**
 * What verify needs of the queue: walkQueue's commits with their changed paths (instead of
 * rev-list + cat-file + diff-tree). `message` holds the subject only.
 */
export async function outlineQueue(
  run: Runner,
  repo: string,
  upstreamSha: string,
  trunkSha: string,
  options: EngineCallOptions = {},
): Promise<{ commits: (Pick<QueueCommit, 'sha' | 'parents' | 'message' | 'emptyFromStart' | 'tree'>)[]; alreadyUpstream: string[]; paths: Map<string, { status: string; path: string }[]> }> {
  const walk = await walkQueue(run, repo, upstreamSha, trunkSha, options);
  return {
    commits: walk.replay.map((c) => ({ sha: c.sha, parents: c.parents, message: `${c.subject}\n`, emptyFromStart: emptyFromStart(c), tree: c.tree })),
    alreadyUpstream: walk.alreadyUpstream.map((c) => c.sha),
    paths: new Map(walk.marked.map((c) => [c.sha, c.paths])),
  };
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
