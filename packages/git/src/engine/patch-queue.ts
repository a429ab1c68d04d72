import type { DroppedPatch, Patch, Runner, UpstreamCommit } from '@rebase-daily/core';
import { walkQueue } from './queue.js';
import { countCommits, mergeBase } from './git-ops.js';

export interface PatchQueue {
  /** Where the trunk currently sits on upstream (merge-base of trunk and upstream). */
  base: string | null;
  /** Patches a rebase replays, oldest first (what `git rebase <upstream>` picks). */
  queue: Patch[];
  /** Trunk patches whose change is already upstream (same patch-id): rebase drops them; each with the upstream commit that has it. */
  dropped: DroppedPatch[];
  /** Merge commits on the trunk side: a plain rebase linearizes and drops them. */
  merges: Patch[];
  /** Upstream commits the trunk does not have yet: `base..upstream`. */
  upstreamDelta: { count: number; range: string };
}

/**
 * The patch queue of `trunk` relative to `upstream`, as a rebase of trunk onto upstream sees it: the
 * same walk and drop rule as the engines (walkQueue), so the report's queue is verify's and apply's.
 */
export async function readPatchQueue(run: Runner, repo: string, upstream: string, trunk: string): Promise<PatchQueue> {
  const range = `${upstream}...${trunk}`;
  // Three independent read-only calls, side by side (each spawn costs 12–50 ms on a small machine).
  const [walk, mergeLog, base] = await Promise.all([
    walkQueue(run, repo, upstream, trunk),
    run('git', ['log', '--reverse', '--merges', '--right-only', '--format=%H%x09%s', range], { cwd: repo }),
    mergeBase(run, repo, upstream, trunk),
  ]);
  const patch = (c: { sha: string; subject: string }): Patch => ({ sha: c.sha, subject: c.subject });
  const merges = mergeLog.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => ({ sha: l.slice(0, l.indexOf('\t')), subject: l.slice(l.indexOf('\t') + 1) }));
  const from = base ?? upstream;
  return {
    base,
    queue: walk.replay.map(patch),
    dropped: await pairDropped(run, repo, range, walk.alreadyUpstream.map(patch)),
    merges,
    upstreamDelta: { count: base ? await countCommits(run, repo, `${base}..${upstream}`) : 0, range: `${from}..${upstream}` },
  };
}

/** Parse `git patch-id --stable` output (`<patch-id> <commit>` per line) into commit → patch-id. */
export function parsePatchIds(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [id, commit] = line.trim().split(/\s+/);
    if (id && commit) out.set(commit, id);
  }
  return out;
}

/** Patch-ids of `commits` (one `git show` piped into `git patch-id --stable`). */
export async function patchIds(run: Runner, repo: string, commits: string[]): Promise<Map<string, string>> {
  if (commits.length === 0) return new Map();
  // -c diff.ignoreSubmodules=none and plain diff flags: the same patch-ids --cherry-mark computes.
  const shown = await run('git', ['-c', 'diff.ignoreSubmodules=none', 'show', '--no-color', '--no-ext-diff', '--no-textconv', '--no-renames', '--format=commit %H', '--patch', ...commits, '--'], { cwd: repo, raw: true });
  if (shown.exitCode !== 0) return new Map();
  const ids = await run('git', ['patch-id', '--stable'], { cwd: repo, input: shown.stdout });
  return ids.exitCode === 0 ? parsePatchIds(ids.stdout) : new Map();
}

/**
 * Pair each dropped trunk patch with the upstream commit of the same patch-id (the one that made it
 * redundant): the `=` commits on the upstream side of the same symmetric range.
 */
async function pairDropped(run: Runner, repo: string, range: string, dropped: Patch[]): Promise<DroppedPatch[]> {
  if (dropped.length === 0) return [];
  const left = await run('git', ['-c', 'diff.ignoreSubmodules=none', 'log', '--no-merges', '--left-only', '--cherry-mark', '--format=%m%H%x09%an <%ae>%x09%aI%x09%s', range], { cwd: repo });
  const candidates: UpstreamCommit[] = [];
  for (const line of left.stdout.split('\n')) {
    if (!line.startsWith('=')) continue;
    const [sha, author, date, ...subject] = line.slice(1).split('\t');
    candidates.push({ sha, author, date, subject: subject.join('\t') });
  }
  const ids = await patchIds(run, repo, [...dropped.map((d) => d.sha), ...candidates.map((c) => c.sha)]);
  return dropped.map((d) => ({ ...d, upstream: candidates.find((c) => ids.get(c.sha) !== undefined && ids.get(c.sha) === ids.get(d.sha)) ?? null }));
}
