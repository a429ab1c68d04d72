import { errors, isAncestor, revParse, toErrorRecord, type Pin, type StageContext, type StageImpl, type StageResult } from '@rebase-daily/core';
import { rebaseOnto } from './git-ops.js';
import { observedShas, stageRefs } from './observed-shas.js';
import { readPatchQueue } from './patch-queue.js';
import { describeConflict } from './rebase-conflict.js';
import { isRebasing } from './rebase-state.js';
import { reproduceWorktreePath, withTempWorktree } from './temp-worktree.js';

const short = (sha: string) => sha.slice(0, 12);

/** The temporary branch verify rebases: under `rebase-daily/` so crash recovery recognises it. */
export function verifyBranchName(runId: string): string {
  return `rebase-daily/verify-${runId}`;
}

/**
 * verify: a real dry run that moves no real ref. Replays the trunk onto the fetched upstream SHA
 * on a temporary branch in a temporary worktree (both removed in `finally`, even on conflict), and
 * pins the exact SHAs it proved so apply rebases onto the same upstream.
 */
export const verifyStage: StageImpl = async (ctx) => {
  try {
    return await verify(ctx);
  } catch (err) {
    const record = toErrorRecord(err);
    return { status: 'failed', outcome: 'error', summary: record.message, errors: [record] };
  }
};

async function verify(ctx: StageContext): Promise<StageResult> {
  const { config } = ctx;
  const repo = config.repoPath;
  const refs = stageRefs(ctx);
  const seen = await observedShas(ctx);
  const upstream = seen.upstream;
  if (!upstream) {
    throw errors.internal(`${config.remotes.upstream}/${config.upstreamBranch} not found; fetch ${config.remotes.upstream} or fix "upstreamBranch"`);
  }
  // The trunk as it is now: that is what verify proves, and what apply must find unchanged.
  const trunk = await revParse(ctx.run, repo, refs.trunk);
  if (!trunk) throw errors.branchMissing(config.trunk, 'trunk');
  const warnings: string[] = [];
  if (seen.trunk && seen.trunk !== trunk) warnings.push(`${config.trunk} moved since the run started (${short(seen.trunk)} → ${short(trunk)}); verified the current tip`);

  const pq = await readPatchQueue(ctx.run, repo, upstream, trunk);
  const pinOf = (clean: boolean): Pin => ({
    upstream,
    trunk,
    forkTrunk: seen.forkTrunk,
    mirror: seen.mirror,
    forkMirror: seen.forkMirror,
    verifiedAt: new Date().toISOString(),
    runId: ctx.state.runId,
    clean,
  });
  const data: Record<string, unknown> = {
    engine: 'worktree',
    upstreamRef: refs.upstream,
    upstream,
    trunk,
    base: pq.base,
    queue: pq.queue,
    dropped: pq.dropped,
    merges: pq.merges,
    upstreamDelta: pq.upstreamDelta,
    upToDate: false,
  };

  if (await isAncestor(ctx.run, repo, upstream, trunk)) {
    data.upToDate = true;
    return {
      status: 'ok',
      summary: `${config.trunk} already contains upstream ${short(upstream)}; nothing to replay`,
      data,
      pin: pinOf(true),
      warnings,
    };
  }

  ctx.progress.info(`verify: replaying ${pq.queue.length} patch(es) onto ${config.remotes.upstream}/${config.upstreamBranch} ${short(upstream)} in a temporary worktree`);
  const outcome = await withTempWorktree(ctx, 'verify', { at: trunk, newBranch: verifyBranchName(ctx.state.runId) }, async (wt) => {
    data.worktree = wt.path;
    const r = await rebaseOnto(ctx.run, wt.path, upstream);
    if (ctx.signal.aborted) throw errors.interrupted('a signal');
    if (r.exitCode === 0) return { clean: true as const, tip: await revParse(ctx.run, wt.path, 'HEAD') };
    if (await isRebasing(ctx.run, wt.path)) {
      const conflict = await describeConflict(ctx.run, wt.path, 'verify', pq.queue, {
        repo,
        worktreePath: reproduceWorktreePath(ctx, 'verify'),
        trunk,
        upstream,
      });
      return { clean: false as const, conflict };
    }
    throw errors.internal(`git rebase in the verify worktree failed without stopping on a conflict (exit ${r.exitCode}): ${r.stderr.split('\n')[0] ?? ''}`);
  });

  if (outcome.clean) {
    data.replayedTip = outcome.tip;
    return {
      status: 'ok',
      summary: `${pq.queue.length} patch(es) replay cleanly onto upstream ${short(upstream)} (${pq.upstreamDelta.count} new upstream commit(s)${pq.dropped.length ? `, ${pq.dropped.length} already upstream` : ''})`,
      data,
      pin: pinOf(true),
      warnings,
    };
  }
  const { conflict } = outcome;
  const where = conflict.patch ? `patch ${conflict.position ?? '?'}/${conflict.queueLength ?? '?'} ${short(conflict.patch.sha)} "${conflict.patch.subject}"` : 'a patch';
  return {
    status: 'failed',
    outcome: 'verify-conflict',
    summary: `${where} conflicts with upstream ${short(upstream)} in ${conflict.files.join(', ') || 'unknown files'}; no ref moved`,
    data,
    conflict,
    pin: pinOf(false),
    warnings,
    nextActions: [
      'Reproduce the conflict with the commands under conflict.reproduce (a scratch worktree; no real branch moves).',
      `Resolve it on ${config.trunk} (e.g. adapt the failing patch to upstream), push the trunk, then rerun rebase-daily.`,
    ],
  };
}
