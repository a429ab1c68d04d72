import { type Conflict, errors, isAncestor, type Patch, type Pin, revParse, shortSha, type StageContext, type StageImpl, type StageResult, TEMP_BRANCH_PREFIX, toErrorRecord, type VerifyData } from '@rebase-daily/core';
import { conflictContext } from '../engine/conflict-context.js';
import { localizeForReport, type LocalizationRecord } from '../engine/conflict-localization.js';
import { chooseEngine, type EngineUse } from './engine-choice.js';
import { verifyQueue } from '../engine/index.js';
import { observedShas, stageRefs, type ObservedShas } from './observed-shas.js';
import { readPatchQueue } from '../engine/patch-queue.js';
import { describeConflict, replayConflict, type ReproduceInput } from '../engine/rebase-conflict.js';
import { isRebasing } from '../engine/rebase-state.js';
import { findSupersededBumps } from '../version/superseded-bumps.js';
import { reintroducedPaths } from '../policy/reintroduced.js';
import { attachContextBundle } from '../context/attach.js';
import { confirmLockWithCargo, describeLockMerge, describePolicyDecision, lockMergesNote, policyNote, rebaseSettlingLocks, replayWithLocks, settleableStop } from '../lockfile/index.js';
import { reproduceWorktreePath, withTempWorktree } from '../engine/temp-worktree.js';


/** The temporary branch verify rebases: under `rebase-daily/` so crash recovery recognises it. */
export function verifyBranchName(runId: string): string {
  return `${TEMP_BRANCH_PREFIX}verify-${runId}`;
}

/**
 * verify: a real dry run that moves no real ref. Replays the trunk onto the fetched upstream SHA —
 * in memory (`git merge-tree` in a temporary object directory) where the engine matches `git
 * rebase`, else with `git rebase` on a temporary branch in a temporary worktree (both removed in
 * `finally`, even on conflict) — and pins the exact SHAs it proved so apply replays onto the same
 * upstream. On conflict the memory engine also localizes it; with `onConflict: advance` a clean
 * partial pin (the last clean upstream commit) replaces the conflict.
 */
export const verifyStage: StageImpl = async (ctx) => {
  try {
    return await verify(ctx);
  } catch (err) {
    const record = toErrorRecord(err);
    return { status: 'failed', outcome: 'error', summary: record.message, errors: [record] };
  }
};

/** What verify learned before replaying anything: the SHAs, the queue, the engine, and how to pin. */
interface Survey {
  ctx: StageContext;
  upstream: string;
  trunk: string;
  seen: ObservedShas;
  queue: Patch[];
  superseded: VerifyData['superseded'];
  skip: Set<string>;
  decision: Awaited<ReturnType<typeof chooseEngine>>;
  upstreamDelta: number;
  dropped: number;
  data: VerifyData;
  warnings: string[];
  pinOf: (clean: boolean, pinned?: string) => Pin;
}

/** survey (read-only) → up to date, or replay with the chosen engine → clean, or the conflict described. */
async function verify(ctx: StageContext): Promise<StageResult> {
  const s = await survey(ctx);
  const { config } = ctx;
  if (s.data.upToDate) {
    return { status: 'ok', summary: `${config.trunk} already contains upstream ${shortSha(s.upstream)}; nothing to replay`, data: s.data, pin: s.pinOf(true), warnings: s.warnings };
  }
  const outcome = await replay(s);
  const how = fallbackNote(s.decision.use);
  if (outcome.clean) {
    return {
      status: 'ok',
      summary: `${s.queue.length} patch(es) replay cleanly onto upstream ${shortSha(s.upstream)} (${s.upstreamDelta} new upstream commit(s)${s.dropped ? `, ${s.dropped} already upstream` : ''}${s.superseded.length ? `, ${s.superseded.length} superseded version bump(s) left out` : ''})${lockMergesNote(s.data.lockMerges)}${policyNote(s.data.policyDecisions)}${how}`,
      data: s.data,
      pin: s.pinOf(true),
      warnings: s.warnings,
    };
  }
  return conflictDay(s, outcome.conflict, how);
}

/**
 * The SHAs verify proves (the trunk as it is now: what apply must find unchanged), the patch queue
 * without superseded version bumps, the engine, and whether the trunk already contains upstream.
 */
async function survey(ctx: StageContext): Promise<Survey> {
  const { config } = ctx;
  const repo = config.repoPath;
  const refs = stageRefs(ctx);
  const seen = await observedShas(ctx);
  const upstream = seen.upstream;
  if (!upstream) {
    throw errors.internal(`${config.remotes.upstream}/${config.upstreamBranch} not found; fetch ${config.remotes.upstream} or fix "upstreamBranch"`);
  }
  const trunk = await revParse(ctx.run, repo, refs.trunk);
  if (!trunk) throw errors.branchMissing(config.trunk, 'trunk');
  const warnings: string[] = [];
  if (seen.trunk && seen.trunk !== trunk) warnings.push(`${config.trunk} moved since the run started (${shortSha(seen.trunk)} → ${shortSha(trunk)}); verified the current tip`);

  // Read-only and independent of each other: side by side.
  const [pq, decision, upToDate, scan] = await Promise.all([
    readPatchQueue(ctx.run, repo, upstream, trunk),
    chooseEngine(ctx, [trunk, upstream]),
    isAncestor(ctx.run, repo, upstream, trunk),
    findSupersededBumps(ctx.run, repo, upstream, trunk, config.version),
  ]);
  const pinOf = (clean: boolean, pinned = upstream): Pin => ({
    upstream: pinned,
    trunk,
    forkTrunk: seen.forkTrunk,
    mirror: seen.mirror,
    forkMirror: seen.forkMirror,
    verifiedAt: new Date().toISOString(),
    runId: ctx.state.runId,
    clean,
  });
  if (decision.warning) warnings.push(decision.warning);
  // Old version bumps leave the replay when a fresh bump will be written (apply writes it).
  const skip = upToDate ? new Set<string>() : new Set(scan.superseded.map((c) => c.sha));
  const superseded = upToDate ? [] : scan.superseded;
  for (const r of upToDate ? [] : scan.refused) warnings.push(`not superseded, replayed as a patch: ${shortSha(r.sha)} "${r.subject}" (${r.reason})`);
  const queue = pq.queue.filter((p) => !skip.has(p.sha));
  const reintroduced = await reintroducedPaths(ctx.run, repo, pq.base, upstream, config.conflicts.policy.removed);
  if (reintroduced.length) warnings.push(`upstream re-introduced path(s) the fork removed for good (conflicts.policy.removed): ${reintroduced.join(', ')}`);
  const data: VerifyData = {
    engine: decision.use,
    upstreamRef: refs.upstream,
    upstream,
    trunk,
    base: pq.base,
    queue,
    superseded,
    dropped: pq.dropped,
    merges: pq.merges,
    upstreamDelta: pq.upstreamDelta,
    upToDate,
    ...(reintroduced.length ? { reintroduced } : {}),
  };
  return { ctx, upstream, trunk, seen, queue, superseded, skip, decision, upstreamDelta: pq.upstreamDelta.count, dropped: pq.dropped.length, data, warnings, pinOf };
}

/** Replay the queue onto upstream with the chosen engine; nothing real moves. */
async function replay(s: Survey): Promise<VerifyOutcome> {
  const { ctx, queue, upstream, trunk, data, skip, decision } = s;
  const { config } = ctx;
  if (decision.use.used === 'worktree' && decision.use.fallbackReasons) ctx.progress.warn(decision.warning ?? 'verify: using the worktree engine');
  ctx.progress.info(
    `verify: replaying ${queue.length} patch(es)${s.superseded.length ? ` (${s.superseded.length} superseded version bump(s) left out)` : ''} onto ${config.remotes.upstream}/${config.upstreamBranch} ${shortSha(upstream)} ${decision.use.used === 'memory' ? 'in memory (git merge-tree, temporary object directory)' : 'in a temporary worktree (git rebase)'}`,
  );
  const reproduce = { repo: config.repoPath, worktreePath: reproduceWorktreePath(ctx, 'verify'), trunk, upstream, skip: [...skip] };
  return decision.use.used === 'memory' ? memoryVerify(ctx, queue, upstream, trunk, data, reproduce, skip) : worktreeVerify(ctx, queue, upstream, trunk, data, reproduce, skip);
}

/**
 * A conflict: localized to the first breaking upstream commit (memory engine), with its context and
 * next actions; with `onConflict: advance` a clean partial pin replaces it when there is one.
 */
async function conflictDay(s: Survey, conflict: Conflict, how: string): Promise<StageResult> {
  const { ctx, upstream, trunk, seen, data, warnings, pinOf, skip, decision } = s;
  const { config } = ctx;
  let localization: LocalizationRecord | null = null;
  if (decision.use.used === 'memory') {
    ctx.progress.info('verify: localizing the conflict (bisection over the new upstream commits)');
    const loc = await localizeForReport(ctx.run, config.repoPath, trunk, upstream, skip);
    if (loc.warning) warnings.push(loc.warning);
    localization = loc.record;
    if (localization) conflict.localization = { ...localization };
  }
  conflict.context = await conflictContext(ctx.run, config.repoPath, conflict, data.base ?? upstream, upstream, localization?.firstBreaking.sha);
  await attachContextBundle(ctx, conflict, data.base ?? upstream, upstream, trunk, warnings);
  const where = conflict.patch ? `patch ${conflict.position ?? '?'}/${conflict.queueLength ?? '?'} ${shortSha(conflict.patch.sha)} "${conflict.patch.subject}"` : 'a patch';
  const nextActions = [
    'Reproduce the conflict with the commands under conflict.reproduce (a scratch worktree; no real branch moves).',
    `Resolve it on ${config.trunk} (e.g. adapt the failing patch to upstream), push the trunk, then rerun rebase-daily.`,
  ];
  if (localization) nextActions.unshift(`Localization: ${localization.summary}.`);

  if (config.onConflict === 'advance') {
    const advanced = await advance(ctx, { localization, engine: decision.use.used, upstream, trunk, seen, data, conflict, warnings, nextActions, pinOf, skip });
    if (advanced) return advanced;
  }
  return {
    status: 'failed',
    outcome: 'verify-conflict',
    summary: `${where} conflicts with upstream ${shortSha(upstream)} in ${conflict.files.join(', ') || 'unknown files'}; no ref moved${how}`,
    data,
    conflict,
    pin: pinOf(false),
    warnings,
    nextActions,
  };
}

type VerifyOutcome = { clean: true } | { clean: false; conflict: Conflict };

/** The in-memory engine: verifyQueue in a temporary object directory (nothing written to the repo). */
async function memoryVerify(
  ctx: StageContext,
  queue: Patch[],
  upstream: string,
  trunk: string,
  data: VerifyData,
  reproduce: ReproduceInput,
  skip: ReadonlySet<string>,
): Promise<VerifyOutcome> {
  const v = await verifyQueue(ctx.run, ctx.config.repoPath, { upstream, trunk, skip });
  if (ctx.signal.aborted) throw errors.interrupted('a signal');
  data.mergeTreeCalls = v.merges;
  if (v.mergeMode) data.mergeTreeMode = v.mergeMode;
  if (v.ok || !v.conflict) return { clean: true };
  const c = v.conflict;
  const rules = { mechanical: ctx.config.conflicts.mechanical, policy: ctx.config.conflicts.policy };
  if (!settleableStop(c.files, c.conflicts, rules)) {
    return { clean: false, conflict: replayConflict('verify', queue, { commit: c.commit, subject: c.subject, index: c.index, queueLength: v.queueLength, files: c.files }, reproduce) };
  }
  // The check stopped only on files the tool settles: replay in full, settling each such stop.
  const locked = await replayWithLocks(ctx.run, ctx.config.repoPath, { upstream, trunk, skip, ...rules });
  if (locked.merges.length) data.lockMerges = locked.merges;
  if (locked.decisions.length) data.policyDecisions = locked.decisions;
  for (const d of locked.decisions) ctx.progress.info(`verify: ${describePolicyDecision(d)}`);
  if (locked.confirmation) data.lockConfirmation = locked.confirmation;
  for (const m of locked.merges) ctx.progress.info(`verify: ${describeLockMerge(m)}`);
  if (locked.replay.ok) return { clean: true };
  const r = locked.replay;
  const conflict = replayConflict('verify', queue, { commit: r.commit, subject: r.subject, index: r.failedIndex, queueLength: v.queueLength, files: r.files }, reproduce);
  if (locked.findings.length) conflict.lockFindings = locked.findings;
  return { clean: false, conflict };
}

/** The worktree engine: `git rebase` on a temporary branch in a temporary worktree, both removed in `finally`. */
async function worktreeVerify(
  ctx: StageContext,
  queue: Patch[],
  upstream: string,
  trunk: string,
  data: VerifyData,
  reproduce: ReproduceInput,
  skip: ReadonlySet<string>,
): Promise<VerifyOutcome> {
  return withTempWorktree(ctx, 'verify', { at: trunk, newBranch: verifyBranchName(ctx.state.runId) }, async (wt) => {
    data.worktree = wt.path;
    const { result: r, merges, decisions, findings } = await rebaseSettlingLocks(ctx, wt.path, upstream, [...skip], { queue, mechanical: ctx.config.conflicts.mechanical, policy: ctx.config.conflicts.policy });
    if (merges.length) data.lockMerges = merges;
    if (decisions.length) data.policyDecisions = decisions;
    for (const d of decisions) ctx.progress.info(`verify: ${describePolicyDecision(d)}`);
    for (const m of merges) ctx.progress.info(`verify: ${describeLockMerge(m)}`);
    if (ctx.signal.aborted) throw errors.interrupted('a signal');
    if (r.exitCode === 0) {
      data.replayedTip = await revParse(ctx.run, wt.path, 'HEAD');
      const last = merges.at(-1);
      if (last) data.lockConfirmation = await confirmLockWithCargo(ctx.run, ctx.config.repoPath, { tree: `${data.replayedTip}^{tree}`, lockFile: last.file });
      return { clean: true as const };
    }
    if (await isRebasing(ctx.run, wt.path)) {
      const conflict = await describeConflict(ctx.run, wt.path, 'verify', queue, reproduce);
      if (findings.length) conflict.lockFindings = findings;
      return { clean: false as const, conflict };
    }
    throw errors.internal(`git rebase in the verify worktree failed without stopping on a conflict (exit ${r.exitCode}): ${r.stderr.split('\n')[0] ?? ''}`);
  });
}

/** ` (worktree engine: …)` when auto fell back, so the summary says how the day was verified. */
function fallbackNote(use: EngineUse): string {
  if (use.used !== 'worktree' || use.requested !== 'auto' || !use.fallbackReasons?.length) return '';
  return ` (verified with git rebase in a worktree: ${use.fallbackReasons.join('; ')})`;
}

interface AdvanceInput {
  localization: LocalizationRecord | null;
  engine: EngineUse['used'];
  upstream: string;
  trunk: string;
  seen: ObservedShas;
  data: VerifyData;
  conflict: Conflict;
  warnings: string[];
  nextActions: string[];
  pinOf: (clean: boolean, upstream?: string) => Pin;
  skip: ReadonlySet<string>;
}

/**
 * `onConflict: advance`: when the localization found an upstream commit newer than the queue's base
 * onto which the whole queue still replays, pin that commit instead (a clean, partial day: apply
 * moves the trunk to this incremental checkpoint) and say what is left. Returns null — the day stops
 * as a verify conflict — when there is nothing to advance to or advancing would not be safe.
 */
async function advance(ctx: StageContext, input: AdvanceInput): Promise<StageResult | null> {
  const { localization: loc, warnings, data } = input;
  const refuse = (why: string) => {
    warnings.push(`onConflict "advance": not advancing, ${why}`);
    return null;
  };
  if (input.engine !== 'memory') return refuse('it needs the in-memory engine (conflict localization); this run verified with git rebase');
  if (!loc) return refuse('the conflict could not be localized');
  if (loc.lastClean.index < 0) return refuse(`the queue already breaks on the first new upstream commit ${shortSha(loc.firstBreaking.sha)} "${loc.firstBreaking.subject}"`);
  const repo = ctx.config.repoPath;
  const checkpoint = loc.lastClean.sha;
  // Apply fast-forwards the mirror to the pinned SHA: a mirror already past the checkpoint would
  // read as diverged, so only advance when both mirrors are at or behind it.
  for (const [name, sha] of [
    [ctx.config.mirror, input.seen.mirror],
    [`${ctx.config.remotes.fork}/${ctx.config.mirror}`, input.seen.forkMirror],
  ] as const) {
    if (sha && !(await isAncestor(ctx.run, repo, sha, checkpoint))) return refuse(`${name} (${shortSha(sha)}) is already past the last clean upstream commit ${shortSha(checkpoint)}`);
  }
  const full = { queue: data.queue, dropped: data.dropped, upstreamDelta: data.upstreamDelta };
  const pq = await readPatchQueue(ctx.run, repo, checkpoint, input.trunk);
  Object.assign(data, { queue: pq.queue.filter((p) => !input.skip.has(p.sha)), dropped: pq.dropped, merges: pq.merges, upstreamDelta: pq.upstreamDelta, partial: true });
  const advanceData = {
    target: input.upstream,
    lastClean: loc.lastClean,
    firstBreaking: loc.firstBreaking,
    absorbed: loc.lastClean.index + 1,
    remaining: loc.remaining,
    upstreamCount: loc.upstreamCount,
    patch: loc.patch,
    files: loc.files,
    full,
  };
  data.advance = advanceData;
  const left = `${loc.remaining} upstream commit(s) left, first breaking ${shortSha(loc.firstBreaking.sha)} "${loc.firstBreaking.subject}" (conflicts with patch ${shortSha(loc.patch.sha)} "${loc.patch.subject}" in ${loc.files.join(', ')})`;
  warnings.push(`partial day (onConflict: advance): the queue does not replay onto upstream ${shortSha(input.upstream)}; pinned the last clean upstream commit ${shortSha(checkpoint)} instead; ${left}`);
  return {
    status: 'ok',
    summary: `advancing to upstream ${shortSha(checkpoint)} "${loc.lastClean.subject}" (${advanceData.absorbed} of ${loc.upstreamCount} new upstream commit(s), onConflict: advance); ${left}`,
    data,
    // The conflict still stands: the report shows it (and its localization) as what is left.
    conflict: input.conflict,
    pin: input.pinOf(true, checkpoint),
    warnings,
    // What moved and what remains, before how to resolve the rest.
    nextActions: [
      `Partial day: apply moves ${ctx.config.trunk} to upstream ${shortSha(checkpoint)} "${loc.lastClean.subject}" (${advanceData.absorbed} of ${loc.upstreamCount} new upstream commit(s)); the run exits 16 (partial).`,
      `Remaining: ${left}.`,
      ...input.nextActions,
    ],
  };
}
