import type { Patch, ReplayedPatch, Runner } from '@rebase-daily/core';
import { listCommits } from './git-ops.js';
import { patchIds } from './patch-queue.js';

/**
 * Old → new SHA of each queue patch after the trunk was replayed onto `upstream`: the commits of
 * `upstream..newTrunk` paired with the queue by patch-id (a version-bump commit pairs with none).
 * A patch whose change did not survive the replay unchanged is left out.
 */
export async function replayedPatches(run: Runner, repo: string, queue: Patch[], upstream: string, newTrunk: string): Promise<ReplayedPatch[]> {
  if (queue.length === 0) return [];
  const now = await listCommits(run, repo, `${upstream}..${newTrunk}`);
  const ids = await patchIds(run, repo, [...queue.map((p) => p.sha), ...now.map((c) => c.sha)]);
  const out: ReplayedPatch[] = [];
  const used = new Set<string>();
  for (const p of queue) {
    const id = ids.get(p.sha);
    const match = id ? now.find((c) => !used.has(c.sha) && ids.get(c.sha) === id) : undefined;
    if (!match) continue;
    used.add(match.sha);
    out.push({ old: p.sha, new: match.sha, subject: p.subject });
  }
  return out;
}
