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

/** Parse `git rev-list --cherry-mark --parents` lines (`+<sha> <parents>` replays, `=` same patch as upstream). */
export function parseCherryMarks(stdout: string): { sha: string; parents: string[]; same: boolean }[] {
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
  const r = await run('git', ['rev-list', '--reverse', '--no-merges', '--cherry-mark', '--right-only', '--topo-order', '--parents', `${upstreamSha}...${trunkSha}`], {
    cwd: repo,
    env: options.env,
    timeoutMs: options.timeoutMs,
  });
  if (r.exitCode !== 0) throw new Error(`git rev-list ${upstreamSha}...${trunkSha} failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  const marks = parseCherryMarks(r.stdout);
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
