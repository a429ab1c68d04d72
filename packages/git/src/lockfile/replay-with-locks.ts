import type { LockConfirmation, LockFinding, LockMerge, PolicyDecision, Runner } from '@rebase-daily/core';
import { listQueue } from '../engine/queue.js';
import { withTemporaryObjectDir } from '../engine/object-dir.js';
import { type ReplayResult, replayQueue } from '../engine/replay.js';
import { confirmLockWithCargo } from './cargo-confirm.js';
import { memoryLockSettler } from './memory-settle.js';
import type { SettleRules } from './settle-plan.js';

export interface LockedReplay {
  replay: ReplayResult;
  merges: LockMerge[];
  decisions: PolicyDecision[];
  /** Why the lock-only stop the replay ended on could not be settled (empty otherwise). */
  findings: LockFinding[];
  confirmation?: LockConfirmation;
}

/**
 * verify's second pass on a day whose check stopped only on lock files: the full in-memory replay
 * (no folding), settling every lock-only stop by structure, in a temporary object directory —
 * nothing is left behind. When locks were merged and the replay went through, cargo is asked to
 * confirm the last merged lock on the replayed tree.
 */
export async function replayWithLocks(run: Runner, repo: string, options: SettleRules & { upstream: string; trunk: string; skip: ReadonlySet<string>; confirm?: boolean }): Promise<LockedReplay> {
  const listed = await listQueue(run, repo, options.upstream, options.trunk);
  const commits = listed.commits.filter((c) => !options.skip.has(c.sha));
  return withTemporaryObjectDir(run, repo, async (objectDir, env, info) => {
    const settler = memoryLockSettler(run, repo, { mechanical: options.mechanical, policy: options.policy, queueLength: commits.length });
    // The synthetic bases live only in the temporary store: their committer does not matter.
    const replay = await replayQueue(run, repo, { onto: options.upstream, commits, alreadyUpstream: listed.alreadyUpstream, objectDir, objectInfo: info, committer: 'rebase-daily <rebase-daily@localhost> 0 +0000', settle: settler.settle });
    const out: LockedReplay = { replay, merges: settler.merges, decisions: settler.decisions, findings: replay.ok ? [] : [...settler.findings] };
    const last = settler.merges.at(-1);
    if (replay.ok && last && options.confirm !== false) out.confirmation = await confirmLockWithCargo(run, repo, { tree: replay.newTree, lockFile: last.file, env });
    return out;
  });
}
