import {
  type ApplyData,
  type Candidate,
  errors,
  isAncestor,
  type Lease,
  type LockMerge,
  type PolicyDecision,
  moveBranch,
  moveFailureError,
  outcomeOf,
  type Patch,
  type Pin,
  type RebaseDailyError,
  revParse,
  shortSha,
  type StageContext,
  type StageImpl,
  type StageResult,
  statusPorcelain,
  toErrorRecord,
  uninterruptible,
  worktreeHolding,
} from '@rebase-daily/core';
import { bumpFailure, bumpVersion, type BumpResult } from '../version/bump-version.js';
import { listCommits, resetHard } from '../engine/git-ops.js';
import { neverUpstream, publishCandidates } from './publish-stage.js';
import { forkMoved } from '../refs/fork-unmoved.js';
import { stageRefs } from './observed-shas.js';
import { readPatchQueue } from '../engine/patch-queue.js';
import { replayedPatches } from '../engine/replayed-patches.js';
import { describeConflict, replayConflict } from '../engine/rebase-conflict.js';
import { chooseEngine, type EngineUse } from './engine-choice.js';
import { conflictContext } from '../engine/conflict-context.js';
import { attachContextBundle } from '../context/attach.js';
import { listQueue, replayQueue } from '../engine/index.js';
import { abortIfRebasing, isRebasing } from '../engine/rebase-state.js';
import { supersededSkipSet } from '../version/apply-supersede.js';
import { describeLockMerge, describePolicyDecision, memoryLockSettler, rebaseSettlingLocks } from '../lockfile/index.js';
import { reproduceWorktreePath, tempWorktreePath, withTempWorktree } from '../engine/temp-worktree.js';


type PushRecord = ApplyData['pushes'][number];

/**
 * apply: make the verified day real, locally. Fast-forwards the local mirror to the pinned upstream
 * SHA, builds the new trunk — replayed in memory (memory engine) or with `git rebase` in a detached
 * temporary worktree (worktree engine) — plus the version bump, without moving any branch, then
 * records the candidate in the run state and moves the trunk in one compare-and-swap. It pushes
 * nothing: the publish stage does, once validation passed (`publish.when: "after-apply"` publishes
 * trunk and mirror here instead, with the same leased push).
 */
export const applyStage: StageImpl = async (ctx) => {
  try {
    return await apply(ctx);
  } catch (err) {
    const record = toErrorRecord(err);
    return { status: 'failed', outcome: 'error', summary: record.message, errors: [record] };
  }
};

/** What every phase of apply reads, and the stage data and warnings they build together. */
interface Apply {
  ctx: StageContext;
  pin: Pin;
  repo: string;
  refs: ReturnType<typeof stageRefs>;
  data: ApplyData;
  warnings: string[];
}

/** The new trunk, built without moving any branch, and what the later phases need from building it. */
interface BuiltTrunk {
  newTrunk: string;
  bump?: BumpResult;
  upToDate: boolean;
  queue: Patch[];
}

/** A phase hands on its result, or a StageResult that ends the stage. */
function ends<T extends object>(r: T | StageResult): r is StageResult {
  return 'outcome' in r;
}

async function apply(ctx: StageContext): Promise<StageResult> {
  const pin = ctx.state.pin;
  if (!pin) return failed(errors.notVerified());
  // The plan: apply only what verify proved. A pin from a conflicting verify is refused, not applied.
  if (!pin.clean) return failed(errors.notVerified({ upstream: pin.upstream }));
  const a = startApply(ctx, pin);

  // --- Checks: nothing is touched until all of them pass. ---
  const refused = await checkPreconditions(a);
  if (refused) return refused;
  // The engine is chosen before anything moves (the probe reads config, rr-cache and attributes).
  const engine = await chooseEngine(ctx, [pin.trunk, pin.upstream]);
  a.data.engine = engine.use;
  if (engine.warning) a.warnings.push(engine.warning);

  const mirror = await fastForwardMirror(a);
  if (ends(mirror)) return mirror;
  const built = await buildTrunk(a, engine.use);
  if (ends(built)) return built;
  const trunk = await recordAndMoveTrunk(a, built, engine.use);
  if (ends(trunk)) return trunk;
  const pushedTrunk = await publishIfAfterApply(a, mirror, trunk, built.newTrunk);
  if (typeof pushedTrunk !== 'boolean') return pushedTrunk;
  return applied(a, built, pushedTrunk);
}

/** The stage data every result carries, begun with what the config says about pushing. */
function startApply(ctx: StageContext, pin: Pin): Apply {
  const { config } = ctx;
  const pushEnabled = config.push.enabled;
  const actions: string[] = [];
  const pushes: PushRecord[] = [];
  const data: ApplyData = { pin, pushEnabled, publishWhen: config.publish.when, actions, pushes };
  if (!pushEnabled) actions.push('push.enabled is false: nothing pushed to the fork remote');
  return { ctx, pin, repo: config.repoPath, refs: stageRefs(ctx), data, warnings: [] };
}

/** The local trunk and mirror are where verify pinned them, the fork too (when pushing), and neither mirror diverged from upstream. */
async function checkPreconditions(a: Apply): Promise<StageResult | null> {
  const { ctx, pin, repo, refs } = a;
  const { config } = ctx;
  const localTrunk = await revParse(ctx.run, repo, refs.trunk);
  if (localTrunk !== pin.trunk) return failed(errors.movedSinceVerify(refs.trunk, pin.trunk, localTrunk ?? '(deleted)'));
  const localMirror = await revParse(ctx.run, repo, refs.mirror);
  if (localMirror !== pin.mirror) return failed(errors.movedSinceVerify(refs.mirror, pin.mirror ?? '(absent)', localMirror ?? '(deleted)'));

  if (config.push.enabled) {
    const refusedFork = await checkFork(a);
    if (refusedFork) return refusedFork;
  }
  if (pin.mirror) {
    const diverged = await divergedCommits(ctx, pin.mirror, pin.upstream);
    if (diverged) return failed(errors.mirrorDiverged(config.mirror, diverged));
  }
  return null;
}

/** The fork may receive our push: not upstream, unmoved since verify, its trunk inside ours, its mirror inside upstream. */
async function checkFork(a: Apply): Promise<StageResult | null> {
  const { ctx, pin, repo, data } = a;
  const { config } = ctx;
  const fork = config.remotes.fork;
  const timeoutMs = config.push.timeoutSeconds * 1000;
  const guard = await neverUpstream(ctx);
  if (guard) return failed(guard);
  // The fork as it is now, not as our last fetch saw it: a stale remote-tracking ref is exactly
  // how a lease ends up protecting nothing.
  const fork0 = await forkMoved(ctx.run, repo, fork, [
    { branch: config.trunk, expected: pin.forkTrunk },
    { branch: config.mirror, expected: pin.forkMirror },
  ], { since: 'since verify', timeoutMs });
  if (fork0.moved) return blocked(a, { ...fork0.moved, ...(fork0.moved.ref === `refs/heads/${config.trunk}` ? { local: pin.trunk } : {}) });
  const forkTrunkNow = fork0.actual.get(config.trunk) ?? null;
  // The lease's expected SHA is the fork trunk seen at the start of the run; it is only safe to
  // replace if the local trunk already contains it — otherwise the push would drop those commits.
  if (pin.forkTrunk && !(await isAncestor(ctx.run, repo, pin.forkTrunk, pin.trunk))) {
    const missing = await listCommits(ctx.run, repo, `${pin.trunk}..${pin.forkTrunk}`, 20);
    data.forkOnlyCommits = missing;
    const listed = missing.slice(0, 3).map((c) => `${c.sha.slice(0, 12)} "${c.subject}"`).join(', ');
    return blocked(a, {
      ref: `refs/heads/${config.trunk}`,
      remote: fork,
      expected: pin.forkTrunk,
      actual: forkTrunkNow,
      attempted: false,
      local: pin.trunk,
      reason: `${fork}'s ${config.trunk} is at ${shortSha(forkTrunkNow)}, which has ${missing.length || 'some'} commit(s) the local ${config.trunk} (${shortSha(pin.trunk)}) lacks${listed ? `: ${listed}${missing.length > 3 ? ', …' : ''}` : ''}`,
    });
  }
  if (pin.forkMirror) {
    const diverged = await divergedCommits(ctx, pin.forkMirror, pin.upstream);
    if (diverged) return failed(errors.mirrorDiverged(`${fork}/${config.mirror}`, diverged));
  }
  return null;
}

/** Mirror: fast-forward only, locally, recorded before it moves. Returns the moved mirror candidate. */
async function fastForwardMirror(a: Apply): Promise<Candidate | StageResult> {
  const { ctx, pin, repo } = a;
  const { config } = ctx;
  const mirror: Candidate = { branch: config.mirror, role: 'mirror', from: pin.mirror, to: pin.upstream, remote: pin.forkMirror, publish: true, status: 'recorded', keptAs: null };
  if (pin.mirror !== pin.upstream) {
    ctx.recordCandidate(mirror);
    // Compare-and-swap on the verified value (a concurrent writer makes this fail, not vanish); a
    // worktree that has the mirror checked out must be clean and follows.
    const m = await moveBranch(ctx.run, repo, { branch: config.mirror, from: pin.mirror, to: pin.upstream, reason: 'rebase-daily: fast-forward mirror to upstream', requireClean: true });
    if (!m.ok) return failed(moveFailureError(m));
    a.data.actions.push(`fast-forwarded ${config.mirror} ${shortSha(pin.mirror)} → ${shortSha(pin.upstream)}`);
  }
  mirror.status = 'moved';
  ctx.recordCandidate(mirror);
  return mirror;
}

/** Trunk: build the new trunk (replay or rebase, then bump) without moving any branch. */
async function buildTrunk(a: Apply, engine: EngineUse): Promise<BuiltTrunk | StageResult> {
  const { ctx, pin, repo, data, warnings } = a;
  const { config } = ctx;
  const upToDate = await isAncestor(ctx.run, repo, pin.upstream, pin.trunk);
  // Old version bumps leave the replay when a fresh one will be written: the same set verify left out.
  const skip = await supersededSkipSet(ctx, pin, upToDate, data, warnings);
  const pq = await readPatchQueue(ctx.run, repo, pin.upstream, pin.trunk);
  const queue = pq.queue.filter((p) => !skip.has(p.sha));
  const holder = await worktreeHolding(ctx.run, repo, config.trunk);
  if (holder) {
    const dirty = await statusPorcelain(ctx.run, holder);
    if (dirty.length) return failed(errors.dirtyTree(dirty.map((l) => l.slice(3)), holder));
  }
  let trunkResult: TrunkWork;
  // Lock files the replay merged by structure (conflicts.mechanical), in replay order.
  const locks: Settled = { merges: [], decisions: [] };
  if (engine.used === 'memory') {
    trunkResult = await replayAndBump(ctx, pin, upToDate, queue, skip, locks);
  } else if (upToDate && !config.version) {
    trunkResult = { newTrunk: pin.trunk };
  } else {
    data.rebaseWorktree = tempWorktreePath(ctx, 'apply');
    trunkResult = await withTempWorktree(ctx, 'apply', { at: pin.trunk }, (wt) => rebaseAndBump(ctx, wt.path, pin, upToDate, queue, skip, locks));
  }
  if (locks.merges.length) data.lockMerges = locks.merges;
  if (locks.decisions.length) data.policyDecisions = locks.decisions;
  for (const m of locks.merges) data.actions.push(describeLockMerge(m));
  for (const d of locks.decisions) data.actions.push(describePolicyDecision(d));
  if (trunkResult.bump) data.bump = trunkResult.bump;
  if ('conflict' in trunkResult) {
    const c = trunkResult.conflict;
    // The same bounded context as a verify conflict: hunks, and the upstream commits that touched the files.
    c.context = await conflictContext(ctx.run, repo, c, pq.base ?? pin.upstream, pin.upstream);
    await attachContextBundle(ctx, c, pq.base ?? pin.upstream, pin.upstream, pin.trunk, warnings);
    return {
      status: 'failed',
      outcome: 'apply-conflict',
      summary: `rebase of ${config.trunk} onto ${shortSha(pin.upstream)} stopped at ${c.patch ? `patch ${c.position ?? '?'}/${c.queueLength ?? '?'} ${shortSha(c.patch.sha)} "${c.patch.subject}"` : 'a patch'} (${c.files.join(', ') || 'unknown files'}); aborted, ${config.trunk} restored to ${shortSha(pin.trunk)}`,
      conflict: c,
      data,
      warnings,
      shasAfter: await shasAfter(a),
      nextActions: ['Reproduce with the commands under conflict.reproduce, resolve on the trunk, push it, then rerun rebase-daily.'],
    };
  }
  if ('error' in trunkResult) return { ...failed(trunkResult.error), data, warnings, shasAfter: await shasAfter(a) };
  return { newTrunk: trunkResult.newTrunk, bump: trunkResult.bump, upToDate, queue };
}

/** Record the trunk candidate, then move the trunk by compare-and-swap. Returns the moved trunk candidate. */
async function recordAndMoveTrunk(a: Apply, built: BuiltTrunk, engine: EngineUse): Promise<Candidate | StageResult> {
  const { ctx, pin, data, warnings } = a;
  const { config } = ctx;
  const { newTrunk, bump } = built;
  const trunk: Candidate = { branch: config.trunk, role: 'trunk', from: pin.trunk, to: newTrunk, remote: pin.forkTrunk, publish: true, status: 'recorded', keptAs: null };
  if (newTrunk !== pin.trunk) {
    // Record before the move: a crash right after it leaves a trunk the next run knows is ours.
    ctx.recordCandidate(trunk);
    const moved = await moveTrunk(ctx, newTrunk, pin.trunk);
    if (moved) return { ...failed(moved), data, warnings, shasAfter: await shasAfter(a) };
  }
  trunk.status = 'moved';
  ctx.recordCandidate(trunk);
  if (!built.upToDate) {
    data.actions.push(
      `rebased ${config.trunk} ${shortSha(pin.trunk)} → ${shortSha(newTrunk)} onto ${shortSha(pin.upstream)} (${engine.used === 'memory' ? 'replayed in memory, trunk moved by compare-and-swap' : 'git rebase'})`,
    );
  }
  if (bump?.status === 'committed') data.actions.push(`committed version ${bump.forkVersion} (${shortSha(bump.commit)})`);
  return trunk;
}

/**
 * publish.when "after-apply": the plan's original order, the fork sees the trunk before validation.
 * Returns whether the trunk was pushed (false when publishing waits for the publish stage).
 */
async function publishIfAfterApply(a: Apply, mirror: Candidate, trunk: Candidate, newTrunk: string): Promise<boolean | StageResult> {
  const { ctx, data, warnings } = a;
  if (!(ctx.config.publish.when === 'after-apply' && data.pushEnabled)) return false;
  const pub = await publishCandidates(ctx, [mirror, trunk]);
  data.publish = pub.data;
  data.pushes.push(...pub.data.refs.map((r) => ({ ref: `refs/heads/${r.branch}`, expected: r.expected, newSha: r.newSha, ok: r.moved, outcome: r.outcome })));
  if (pub.status !== 'ok') {
    data.rebasedTrunk = newTrunk;
    return { ...pub, data, warnings, shasAfter: await shasAfter(a) };
  }
  for (const r of pub.data.refs) if (r.moved) data.actions.push(`pushed ${r.branch} to ${ctx.config.remotes.fork} with lease ${shortSha(r.expected)} (→ ${shortSha(r.newSha)})`);
  return pub.data.refs.some((r) => r.role === 'trunk' && r.moved);
}

/** The ok result: the trunk before and after, the patches replayed, and whether anything changed. */
async function applied(a: Apply, built: BuiltTrunk, pushedTrunk: boolean): Promise<StageResult> {
  const { ctx, pin, repo, data, warnings } = a;
  const { config } = ctx;
  const { newTrunk } = built;
  data.trunk = { before: pin.trunk, after: newTrunk, rebased: !built.upToDate, pushed: pushedTrunk };
  data.replayed = await replayedPatches(ctx.run, repo, built.queue, pin.upstream, newTrunk);
  const changed = newTrunk !== pin.trunk || pin.mirror !== pin.upstream || pushedTrunk;
  const publishHere = config.publish.when === 'after-apply';
  return {
    status: 'ok',
    outcome: changed ? 'success' : 'no-change',
    summary: changed
      ? `${config.trunk} ${shortSha(pin.trunk)} → ${shortSha(newTrunk)} on upstream ${shortSha(pin.upstream)}${pushedTrunk ? `, pushed to ${config.remotes.fork}` : publishHere || !data.pushEnabled ? '' : ' (local; publish pushes it once validation passed)'}`
      : `${config.trunk} already on upstream ${shortSha(pin.upstream)}; nothing to apply`,
    data,
    warnings,
    shasAfter: await shasAfter(a),
  };
}

/** The five SHAs as they are now, for the report. */
async function shasAfter(a: Apply) {
  const { ctx, pin, repo, refs } = a;
  return {
    upstream: pin.upstream,
    mirror: await revParse(ctx.run, repo, refs.mirror),
    trunk: await revParse(ctx.run, repo, refs.trunk),
    forkTrunk: await revParse(ctx.run, repo, refs.forkTrunk),
    forkMirror: await revParse(ctx.run, repo, refs.forkMirror),
  };
}

/** The push-blocked result for a lease the fork would not honour (or that was never attempted). */
async function blocked(a: Apply, lease: Lease): Promise<StageResult> {
  const { config } = a.ctx;
  const fork = config.remotes.fork;
  const notAttempted = lease.attempted === false;
  const err = errors.leaseBlocked(lease.ref, lease.expected ?? '(absent)', lease.actual ?? '(absent)', lease.reason, !notAttempted);
  const branch = lease.ref.replace(/^refs\/heads\//, '');
  return {
    status: 'failed',
    outcome: 'push-blocked',
    summary: notAttempted
      ? `no push attempted: ${lease.reason}; nothing was pushed`
      : `push of ${lease.ref} to ${lease.remote} blocked: ${lease.reason} (expected ${shortSha(lease.expected)}, actual ${shortSha(lease.actual)}); nothing on the fork was overwritten`,
    lease,
    data: a.data,
    warnings: a.warnings,
    errors: [err.toJSON()],
    shasAfter: await shasAfter(a),
    nextActions: notAttempted
      ? [
          `Nothing was pushed: ${lease.reason}.`,
          `Fetch ${fork} and inspect what it has that the local ${branch} lacks: \`git fetch ${fork} && git log --oneline ${branch}..${fork}/${branch}\`.`,
          `Bring those commits into the local ${branch} (rebase or merge it onto ${fork}/${branch}), or decide they must go; then rerun rebase-daily.`,
        ]
      : [
          `Fetch ${fork} and inspect what is on ${lease.ref} there (git log ${shortSha(lease.expected)}..${shortSha(lease.actual)}).`,
          `Bring those commits into the local ${config.trunk} (or decide they must go), then rerun rebase-daily.`,
        ],
  };
}

/** What the replay settled on its own (conflicts.mechanical and conflicts.policy), in replay order. */
interface Settled {
  merges: LockMerge[];
  decisions: PolicyDecision[];
}

type TrunkWork = { newTrunk: string; bump?: BumpResult } | { conflict: NonNullable<StageResult['conflict']>; bump?: BumpResult } | { error: RebaseDailyError; bump?: BumpResult };

/** Rebase the detached HEAD in `cwd` (at `pin.trunk`), then bump; no branch moves. */
async function rebaseAndBump(ctx: StageContext, cwd: string, pin: Pin, upToDate: boolean, queue: Patch[], skip: ReadonlySet<string>, locks: Settled): Promise<TrunkWork> {
  const restore = async () => {
    const run = uninterruptible(ctx.run);
    await abortIfRebasing(run, cwd);
    ctx.unregisterTemporary('operation', cwd);
    if ((await revParse(run, cwd, 'HEAD')) !== pin.trunk) await resetHard(run, cwd, pin.trunk);
  };
  if (!upToDate) {
    ctx.progress.info(`apply: rebasing ${ctx.config.trunk} onto ${shortSha(pin.upstream)}`);
    const { result: r, merges, decisions, findings } = await rebaseSettlingLocks(ctx, cwd, pin.upstream, [...skip], { queue, mechanical: ctx.config.conflicts.mechanical, policy: ctx.config.conflicts.policy });
    locks.merges.push(...merges);
    locks.decisions.push(...decisions);
    if (ctx.signal.aborted) {
      await restore();
      throw errors.interrupted('a signal');
    }
    if (r.exitCode !== 0) {
      if (await isRebasing(ctx.run, cwd)) {
        const conflict = await describeConflict(ctx.run, cwd, 'apply', queue, {
          repo: ctx.config.repoPath,
          worktreePath: reproduceWorktreePath(ctx, 'apply'),
          trunk: pin.trunk,
          upstream: pin.upstream,
          skip: [...skip],
        });
        if (findings.length) conflict.lockFindings = findings;
        await restore();
        return { conflict };
      }
      await restore();
      return { error: errors.internal(`git rebase of ${ctx.config.trunk} failed without a conflict (exit ${r.exitCode}): ${r.stderr.split('\n')[0] ?? ''}`) };
    }
  }
  let bump: BumpResult | undefined;
  if (ctx.config.version) {
    bump = await bumpVersion(ctx.run, { cwd, upstreamSha: pin.upstream, version: ctx.config.version });
    if (bump.status === 'failed') {
      await restore();
      return { error: bumpFailure(bump), bump };
    }
  }
  const head = await revParse(ctx.run, cwd, 'HEAD');
  if (!head) throw errors.internal(`cannot read HEAD in ${cwd}`);
  return { newTrunk: head, bump };
}

/**
 * The memory engine's trunk step: replay the queue onto the pinned upstream SHA in the object
 * database (the new commits go to the real store, referenced by nothing yet), then bump in a
 * detached temporary worktree at the replayed tip. No branch moves here: the caller records the
 * candidate and moves the trunk in one compare-and-swap — a crash leaves either the old trunk or
 * the new one, never half a rebase.
 */
async function replayAndBump(ctx: StageContext, pin: Pin, upToDate: boolean, queue: Patch[], skip: ReadonlySet<string>, locks: Settled): Promise<TrunkWork> {
  const repo = ctx.config.repoPath;
  let newTrunk = pin.trunk;
  if (!upToDate) {
    ctx.progress.info(`apply: replaying ${ctx.config.trunk} onto ${shortSha(pin.upstream)} in memory`);
    const listed = await listQueue(ctx.run, repo, pin.upstream, pin.trunk);
    const q = { ...listed, commits: listed.commits.filter((c) => !skip.has(c.sha)) };
    const settler = memoryLockSettler(ctx.run, repo, { mechanical: ctx.config.conflicts.mechanical, policy: ctx.config.conflicts.policy, queueLength: q.commits.length });
    const replay = await replayQueue(ctx.run, repo, { onto: pin.upstream, commits: q.commits, alreadyUpstream: q.alreadyUpstream, settle: settler.settle });
    locks.merges.push(...settler.merges);
    locks.decisions.push(...settler.decisions);
    // Nothing has moved yet: an interrupt or a conflict here leaves only unreferenced objects.
    if (ctx.signal.aborted) throw errors.interrupted('a signal');
    if (!replay.ok) {
      const stop = { commit: replay.commit, subject: replay.subject, index: replay.failedIndex, queueLength: q.commits.length, files: replay.files };
      const conflict = replayConflict('apply', queue, stop, { repo, worktreePath: reproduceWorktreePath(ctx, 'apply'), trunk: pin.trunk, upstream: pin.upstream, skip: [...skip] });
      if (settler.findings.length) conflict.lockFindings = [...settler.findings];
      return { conflict };
    }
    newTrunk = replay.newTip;
  }
  if (!ctx.config.version) return { newTrunk };
  const version = ctx.config.version;
  const bumpIn = (cwd: string) => bumpVersion(ctx.run, { cwd, upstreamSha: pin.upstream, version });
  const bump = await withTempWorktree(ctx, 'apply', { at: newTrunk }, (wt) => bumpIn(wt.path));
  if (bump.status === 'failed') {
    return { error: bumpFailure(bump), bump };
  }
  return { newTrunk: bump.status === 'committed' && bump.commit ? bump.commit : newTrunk, bump };
}

/**
 * Move `refs/heads/<trunk>` from `old` to `newTip` with core's `moveBranch` (compare-and-swap; the
 * worktree that has it checked out — preflight proved it clean — follows, or the trunk is put back).
 * Returns an error, with everything as it was, when the trunk moved concurrently or the worktree
 * could not follow.
 */
async function moveTrunk(ctx: StageContext, newTip: string, old: string): Promise<RebaseDailyError | null> {
  const trunk = ctx.config.trunk;
  const m = await moveBranch(ctx.run, ctx.config.repoPath, { branch: trunk, from: old, to: newTip, reason: `rebase-daily: replay ${trunk} onto upstream` });
  return m.ok ? null : moveFailureError(m);
}

/** Commits of `mirror` that upstream does not have ("sha subject"), or null when it is an ancestor. */
async function divergedCommits(ctx: StageContext, mirror: string, upstream: string): Promise<string[] | null> {
  if (await isAncestor(ctx.run, ctx.config.repoPath, mirror, upstream)) return null;
  const commits = await listCommits(ctx.run, ctx.config.repoPath, `${upstream}..${mirror}`, 20);
  return commits.length ? commits.map((c) => `${c.sha.slice(0, 12)} ${c.subject}`) : [`${mirror.slice(0, 12)} (not in upstream)`];
}

function failed(err: RebaseDailyError): StageResult {
  return { status: 'failed', outcome: outcomeOf(err), summary: err.message, errors: [err.toJSON()] };
}
