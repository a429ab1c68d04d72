import type { Patch, Runner } from '@rebase-daily/core';
import { countCommits, mergeBase } from './git-ops.js';

export interface PatchQueue {
  /** Where the trunk currently sits on upstream (merge-base of trunk and upstream). */
  base: string | null;
  /** Patches a rebase replays, oldest first (what `git rebase <upstream>` picks). */
  queue: Patch[];
  /** Trunk patches whose change is already upstream (same patch-id): rebase drops them. */
  dropped: Patch[];
  /** Merge commits on the trunk side: a plain rebase linearizes and drops them. */
  merges: Patch[];
  /** Upstream commits the trunk does not have yet: `base..upstream`. */
  upstreamDelta: { count: number; range: string };
}

/**
 * Parse `git log --cherry-mark --right-only --format=%m%H%x09%s`: `+` marks a patch to replay,
 * `=` one whose patch-id already exists upstream.
 */
export function parseCherryMarked(text: string): { replay: Patch[]; dropped: Patch[] } {
  const replay: Patch[] = [];
  const dropped: Patch[] = [];
  for (const line of text.split('\n')) {
    if (line.length < 42) continue;
    const mark = line[0];
    const tab = line.indexOf('\t');
    const patch = { sha: line.slice(1, tab === -1 ? undefined : tab), subject: tab === -1 ? '' : line.slice(tab + 1) };
    if (mark === '=') dropped.push(patch);
    else replay.push(patch);
  }
  return { replay, dropped };
}

/** The patch queue of `trunk` relative to `upstream`, as a rebase of trunk onto upstream sees it. */
export async function readPatchQueue(run: Runner, repo: string, upstream: string, trunk: string): Promise<PatchQueue> {
  const range = `${upstream}...${trunk}`;
  // Three independent read-only calls, side by side (each spawn costs 12–50 ms on a small machine).
  const [marked, mergeLog, base] = await Promise.all([
    run('git', ['log', '--reverse', '--topo-order', '--no-merges', '--right-only', '--cherry-mark', '--format=%m%H%x09%s', range], { cwd: repo }),
    run('git', ['log', '--reverse', '--merges', '--right-only', '--format=%H%x09%s', range], { cwd: repo }),
    mergeBase(run, repo, upstream, trunk),
  ]);
  const { replay, dropped } = parseCherryMarked(marked.stdout);
  const merges = mergeLog.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => ({ sha: l.slice(0, l.indexOf('\t')), subject: l.slice(l.indexOf('\t') + 1) }));
  const from = base ?? upstream;
  return {
    base,
    queue: replay,
    dropped,
    merges,
    upstreamDelta: { count: base ? await countCommits(run, repo, `${base}..${upstream}`) : 0, range: `${from}..${upstream}` },
  };
}
