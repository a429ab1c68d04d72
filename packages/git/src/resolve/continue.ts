import { existsSync } from 'node:fs';
import { resolveErrors, revParse, shortSha } from '@rebase-daily/core';
import { conflictedFiles } from '../engine/git-ops.js';
import { isRebasing } from '../engine/rebase-state.js';
import { requireResolution, type Resolution, type ResolveEnv } from './lifecycle.js';
import { changesOutsideHunks } from './hunk-scope.js';
import { requeueInterruptedPick } from './interrupted-pick.js';
import { filesWithMarkers, replay, replayBegun, stoppedAt, type ReplayOutcome } from './replay.js';

/**
 * `resolve continue`: after the agent edited and `git add`ed the conflicting files in the resolution
 * worktree. Refuses, changing nothing, while a file is still unmerged, while a staged file holds
 * conflict markers, or when the resolution would leave the patch empty (dropping it is an escalation
 * gate). Records which files the resolution staged and what it changed outside the conflicting
 * hunks (hunk-scope.ts; the `outside-hunks` gate of finish), then replays to the next conflict or the end of the queue.
 * After a crash it goes on from what git says: a finished rebase is recorded as replayed.
 */
export async function continueResolution(env: ResolveEnv): Promise<{ resolution: Resolution; outcome: ReplayOutcome }> {
  const r = requireResolution(env);
  const { state } = r;
  const wt = state.worktree;
  if (!wt || !existsSync(wt)) throw resolveErrors.worktreeMissing(wt ?? '(none recorded)');
  if (!(await isRebasing(env.run, wt))) {
    if (!(await replayBegun(env, state))) {
      env.progress.warn(`resolve: the replay had not begun in ${wt} (interrupted before \`git rebase\` started); starting it`);
      return { resolution: r, outcome: await replay(env, r, 'start') };
    }
    if (state.phase === 'replaying' || state.phase === 'conflict') {
      state.phase = 'replayed';
      state.replayedTip = await revParse(env.run, wt, 'HEAD');
      r.save();
    }
    return { resolution: r, outcome: { kind: 'replayed', tip: state.replayedTip! } };
  }
  const stop = state.stops.at(-1);
  // Inside one of our own replay steps (no stop of the agent's open), a kill just after git's
  // sequencer moved to the next patch would make a plain continue skip it: put it back first.
  if (state.phase === 'replaying' && (!stop || stop.resolvedAt)) {
    const requeued = await requeueInterruptedPick(env.run, wt);
    if (requeued) {
      const p = state.queue.findIndex((q) => q.sha === requeued);
      const line = `a crash interrupted git just after it moved to patch ${p + 1}/${state.queue.length} ${shortSha(requeued)}; it is picked again, not skipped`;
      state.warnings.push(line);
      env.progress.warn(`resolve: ${line}`);
      r.save();
    }
  }
  const unmerged = await conflictedFiles(env.run, wt);
  if (unmerged.length) throw resolveErrors.unmerged(unmerged);
  const stagedList = await env.run('git', ['diff', '--cached', '--name-only', '-z', 'HEAD'], { cwd: wt, raw: true });
  const staged = stagedList.stdout.split('\0').filter(Boolean);
  const marked = await filesWithMarkers(env, wt, staged);
  if (marked.length) throw resolveErrors.markers(marked);
  // `resolve edit`: what is staged goes into the patch (git amends it at `rebase --continue`).
  if (state.phase === 'editing') {
    const edit = state.rewrites?.at(-1);
    if (edit?.kind === 'edit') edit.files = staged;
    state.editing = null;
    r.save();
    return { resolution: r, outcome: await replay(env, r, 'continue') };
  }
  // A replay step interrupted after the last stop was resolved (a crash while git was finishing): let git go on.
  if (state.phase === 'replaying' && (!stop || stop.resolvedAt)) {
    const finished = await settleFinishedRebase(env, r);
    return { resolution: r, outcome: finished ?? (await replay(env, r, 'continue')) };
  }
  if (!staged.length) throw resolveErrors.wouldDrop(stop ? `${stop.position}/${state.queue.length} ${stop.patch.sha.slice(0, 12)} "${stop.patch.subject}"` : '(unknown)');
  if (stop && !stop.resolvedAt) {
    const patchSha = (await stoppedAt(env, wt)).sha ?? stop.patch.sha;
    const outside = await changesOutsideHunks(env, wt, state.id, patchSha, staged);
    stop.resolvedFiles = staged;
    stop.resolvedAt = new Date().toISOString();
    stop.outsideHunks = outside;
    for (const o of outside) state.warnings.push(`the resolution of patch ${stop.position} "${stop.patch.subject}" changes ${o.path} outside the conflicting hunks (${o.detail}); escalation gate "outside-hunks": \`resolve finish\` holds until a human accepts it`);
    r.save();
  }
  return { resolution: r, outcome: await replay(env, r, 'continue') };
}

/**
 * git killed between moving the resolution branch to the replayed tip and removing its rebase state:
 * every todo step is done and the branch already is HEAD, but `git rebase --continue` would fail
 * (it expects the branch at its old SHA). Then the rebase is over in all but its bookkeeping: drop the
 * state (`git rebase --quit`) and put HEAD back on the branch — the same commit, nothing lost.
 * Returns null when that is not the situation.
 */
async function settleFinishedRebase(env: ResolveEnv, r: Resolution): Promise<ReplayOutcome | null> {
  const { state } = r;
  const wt = state.worktree!;
  const stop = await stoppedAt(env, wt);
  const head = await revParse(env.run, wt, 'HEAD');
  const branchTip = state.branch ? await revParse(env.run, wt, `refs/heads/${state.branch}`) : null;
  if (stop.position === null || stop.position !== stop.end || !head || head !== branchTip) return null;
  const quit = await env.run('git', ['rebase', '--quit'], { cwd: wt });
  if (quit.exitCode !== 0) return null;
  await env.run('git', ['symbolic-ref', 'HEAD', `refs/heads/${state.branch}`], { cwd: wt });
  state.warnings.push(`a crash interrupted git at the end of the replay; its rebase state was dropped (the branch already held the replayed tip ${head.slice(0, 12)})`);
  state.phase = 'replayed';
  state.replayedTip = head;
  r.save();
  return { kind: 'replayed', tip: head };
}
