import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errors, isAncestor, moveFailureError, resolvePaths, resolveErrors, revParse, settleMove, shortSha, type Lease, type PublishProof, type RebaseDailyError } from '@rebase-daily/core';
import { bumpVersion } from '../version/bump-version.js';
import { listCommits } from '../engine/git-ops.js';
import { isRebasing } from '../engine/rebase-state.js';
import { undoMoves } from './abort.js';
import { endResolution, removeRecorded, requireResolution, type Resolution, type ResolveEnv } from './lifecycle.js';
import { parseRangeDiff } from './parsers.js';
import type { PublishResult } from '../refs/push-refs.js';
import { publishThroughGate } from '../gate/publish-gate.js';
import { replay, replayBegun, stoppedAt } from './replay.js';


/**
 * First half of `resolve finish`, before validation: only when the whole queue is replayed. Records
 * the range-diff of the old queue against the new one, then writes the version bump in the
 * resolution worktree (idempotent: a retried finish finds it done). A finish that already started
 * publishing (a crash) skips straight on.
 */
export async function prepareFinish(env: ResolveEnv): Promise<Resolution> {
  const r = requireResolution(env);
  const { state } = r;
  const { run, config } = env;
  const wt = state.worktree;
  if (state.phase === 'publishing' || state.phase === 'published') return r;
  if (!wt || !existsSync(wt)) throw resolveErrors.worktreeMissing(wt ?? '(none recorded)');
  if (await isRebasing(run, wt)) throw resolveErrors.notReplayed((await stoppedAt(env, wt)).position, state.queue.length);
  if (!(await replayBegun(env, state))) {
    // Interrupted before `git rebase` started: start it now; finish goes on only if it replays cleanly.
    env.progress.warn(`resolve: the replay had not begun in ${wt} (interrupted before \`git rebase\` started); starting it`);
    const outcome = await replay(env, r, 'start');
    if (outcome.kind === 'conflict') throw resolveErrors.notReplayed(outcome.position, state.queue.length);
  }
  const pin = state.pin!;
  if (!state.replayedTip) state.replayedTip = await revParse(run, wt, 'HEAD');
  state.phase = 'finishing';
  state.finish ??= { rangeDiff: [], rangeDiffPath: null, bump: null, newTrunk: null, validation: null, moved: [], pushes: [] };
  r.save();

  const oldRange = `${pin.base ?? pin.upstream}..${pin.trunk}`;
  const rd = await run('git', ['range-diff', '--no-color', '--creation-factor=100', oldRange, `${pin.upstream}..${state.replayedTip}`], { cwd: config.repoPath });
  if (rd.exitCode !== 0) throw errors.internal(`git range-diff failed (exit ${rd.exitCode}): ${rd.stderr.split('\n')[0]}`);
  const rdPath = join(resolvePaths(config.scratchPath).base, `range-diff-${state.id}.txt`);
  mkdirSync(resolvePaths(config.scratchPath).base, { recursive: true });
  writeFileSync(rdPath, rd.stdout);
  state.finish.rangeDiff = parseRangeDiff(rd.stdout);
  state.finish.rangeDiffPath = rdPath;
  state.droppedEmpty = state.finish.rangeDiff.filter((e) => e.status === 'dropped').map((e) => state.queue[(e.oldPosition ?? 0) - 1]).filter(Boolean);
  r.save();

  if (config.version) {
    const bump = await bumpVersion(run, { cwd: wt!, upstreamSha: pin.upstream, version: config.version });
    state.finish.bump = { ...bump };
    r.save();
    if (bump.status === 'failed') throw errors.versionBump(`version bump in the resolution worktree failed: ${bump.error?.message ?? 'unknown error'}`);
  }
  state.finish.newTrunk = await revParse(run, wt!, 'HEAD');
  r.save();
  return r;
}

export type PublishOutcome =
  | { kind: 'published'; actions: string[]; publish: PublishResult | null }
  /** The publish gate refused (an invariant, or the fork moved): nothing pushed, local refs moved back. */
  | { kind: 'refused'; error: RebaseDailyError; actions: string[]; proof: PublishProof }
  | { kind: 'blocked'; lease: Lease; actions: string[]; publish: PublishResult | null };

/**
 * Second half of `resolve finish`, after validation passed: move the local trunk and mirror by
 * compare-and-swap from the pinned SHAs, then publish both through the publish gate (the fork has
 * not moved, the queue maps one to one, no markers introduced, the tree validated; one leased push).
 * A refusal or a refused push puts the local refs back. Every step is recorded first, so a crash anywhere leaves a
 * state `finish` (to complete) or `abort` (to undo) can act on.
 */
export async function publishResolution(env: ResolveEnv, r: Resolution): Promise<PublishOutcome> {
  const { state } = r;
  const { run, config } = env;
  const repo = config.repoPath;
  const pin = state.pin!;
  const fin = state.finish!;
  const newTrunk = fin.newTrunk!;
  const fork = config.remotes.fork;
  const timeoutMs = config.push.timeoutSeconds * 1000;
  const actions: string[] = [];
  state.phase = 'publishing';
  r.save();

  const blocked = async (lease: Lease, publish: PublishResult | null = null): Promise<PublishOutcome> => {
    actions.push(...(await undoMoves(env, state, r.save)));
    state.phase = 'finishing';
    r.save();
    return { kind: 'blocked', lease, actions, publish };
  };

  // The fork's trunk must be inside the pinned local trunk, or the push would drop its commits.
  if (config.push.enabled && pin.forkTrunk && !(await isAncestor(run, repo, pin.forkTrunk, pin.trunk))) {
    const missing = await listCommits(run, repo, `${pin.trunk}..${pin.forkTrunk}`, 20);
    return blocked({ ref: `refs/heads/${config.trunk}`, remote: fork, expected: pin.forkTrunk, actual: pin.forkTrunk, reason: `the fork has ${missing.length} trunk commit(s) the local trunk lacks (${missing.slice(0, 3).map((c) => shortSha(c.sha)).join(', ')})` });
  }

  // Local refs: compare-and-swap from the pinned SHAs; recorded before each move for a crash-safe retry or abort.
  const moves: { branch: string; from: string | null; to: string }[] = [{ branch: config.trunk, from: pin.trunk, to: newTrunk }];
  if (pin.mirror !== pin.upstream) {
    if (pin.mirror && !(await isAncestor(run, repo, pin.mirror, pin.upstream))) throw errors.mirrorDiverged(config.mirror, [`${shortSha(pin.mirror)} (not in upstream)`]);
    moves.push({ branch: config.mirror, from: pin.mirror, to: pin.upstream });
  }
  for (const m of moves) {
    const ref = `refs/heads/${m.branch}`;
    // One recorded step: the ref and the worktree that has it checked out. Recorded before it starts;
    // a retried finish settles a move a crash interrupted (ref moved, worktree not) from the record.
    const resumed = fin.moved.some((x) => x.ref === ref);
    if (!resumed) {
      fin.moved.push({ ref, from: m.from, to: m.to });
      r.save();
    }
    const settled = await settleMove(run, repo, { branch: m.branch, from: m.from, to: m.to, reason: `rebase-daily resolve ${state.id}: ${m.branch} → resolved`, toward: 'to' });
    if (!settled.ok) {
      if ((await revParse(run, repo, ref)) === m.from && !(settled.reason === 'worktree-refused')) {
        fin.moved.splice(fin.moved.findIndex((x) => x.ref === ref), 1);
        r.save();
      }
      actions.push(...(await undoMoves(env, state, r.save)));
      state.phase = 'finishing';
      r.save();
      throw moveFailureError(settled);
    }
    actions.push(`moved ${m.branch} ${shortSha(m.from)} → ${shortSha(m.to)} (compare-and-swap${settled.holder ? `; ${settled.holder} follows` : ''})`);
  }

  let publish: PublishResult | null = null;
  if (config.push.enabled) {
    const refs = [
      { branch: config.mirror, expected: pin.forkMirror, next: pin.upstream },
      { branch: config.trunk, expected: pin.forkTrunk, next: newTrunk },
    ].filter((x) => x.expected !== x.next);
    const gate = await publishThroughGate(run, {
      repo,
      remote: fork,
      trunk: { oldTip: pin.trunk, upstream: pin.upstream, newTip: newTrunk },
      version: config.version,
      validation: fin.evidence ?? null,
      refs,
      atomic: config.publish.atomic,
      timeoutMs,
      since: 'during the resolution',
    });
    fin.proof = gate.proof;
    r.save();
    if (gate.kind === 'refused' && gate.lease) return blocked(gate.lease);
    if (gate.kind === 'refused') {
      actions.push(...(await undoMoves(env, state, r.save)));
      state.phase = 'finishing';
      r.save();
      return { kind: 'refused', error: gate.error, actions, proof: gate.proof };
    }
    publish = gate.publish;
    fin.pushes = publish.refs.map((p) => ({ ...p }));
    r.save();
    if (!publish.ok) return blocked(publish.lease ?? { ref: `refs/heads/${config.trunk}`, remote: fork, expected: pin.forkTrunk, actual: null, reason: 'push refused' }, publish);
    for (const p of publish.refs) actions.push(`pushed ${p.branch} to ${fork} with lease ${shortSha(p.expected)} (→ ${shortSha(p.next)})`);
  }
  state.phase = 'published';
  r.save();
  return { kind: 'published', actions, publish };
}

/** After the report is written: remove the worktree and branch, archive the state, end the lock. */
export async function completeResolution(env: ResolveEnv, r: Resolution): Promise<{ actions: string[]; archive: string }> {
  const actions = await removeRecorded(env, r);
  const archive = endResolution(env, r, 'published');
  return { actions: [...actions, 'ended the lock'], archive };
}
