import {
  errors,
  isAncestor,
  lsRemoteBranch,
  revParse,
  statusPorcelain,
  toErrorRecord,
  type Lease,
  type Patch,
  type Pin,
  type RebaseDailyError,
  type StageContext,
  type StageImpl,
  type StageResult,
} from '@rebase-daily/core';
import { bumpFailure, bumpVersion, type BumpResult } from './bump-version.js';
import { listCommits, mergeFfOnly, recordedRebase, remoteUrl, resetHard, uninterruptible, updateRefCas, worktreeHolding } from './git-ops.js';
import { leasePush, leaseRecord, type LeasePushResult } from './lease-push.js';
import { stageRefs } from './observed-shas.js';
import { readPatchQueue } from './patch-queue.js';
import { describeConflict, replayConflict } from './rebase-conflict.js';
import { chooseEngine } from './engine-choice.js';
import { casUpdateRef, listQueue, replayQueue } from './engine/index.js';
import { abortIfRebasing, isRebasing } from './rebase-state.js';
import { supersededSkipSet } from './version/apply-supersede.js';
import { reproduceWorktreePath, tempWorktreePath, withTempWorktree } from './temp-worktree.js';

const short = (sha: string | null | undefined) => (sha ? sha.slice(0, 12) : '(none)');

interface PushRecord {
  ref: string;
  expected: string | null;
  newSha: string;
  ok: boolean;
  outcome: string;
  command: string;
}

const pushRecord = (p: LeasePushResult): PushRecord => ({
  ref: p.ref,
  expected: p.expected,
  newSha: p.newSha,
  ok: p.ok,
  outcome: `${p.outcome.kind}${p.outcome.detail ? `: ${p.outcome.detail}` : ''}`,
  command: p.command,
});

/**
 * apply: make the verified day real. Fast-forwards the mirror to the pinned upstream SHA (locally
 * and on the fork, never rewriting it), replays the trunk onto that same SHA — in memory then one
 * compare-and-swap of the trunk ref (memory engine), or `git rebase` (worktree engine: the only plain
 * rebase rebase-daily does to a real branch) — bumps the version, and pushes the trunk with an
 * explicit lease on the fork trunk SHA observed at the start of the run.
 */
export const applyStage: StageImpl = async (ctx) => {
  try {
    return await apply(ctx);
  } catch (err) {
    const record = toErrorRecord(err);
    return { status: 'failed', outcome: 'error', summary: record.message, errors: [record] };
  }
};

async function apply(ctx: StageContext): Promise<StageResult> {
  const { config } = ctx;
  const pin = ctx.state.pin;
  if (!pin) return failed(errors.notVerified());
  // The plan: apply only what verify proved. A pin from a conflicting verify is refused, not applied.
  if (!pin.clean) return failed(errors.notVerified({ upstream: pin.upstream }));
  const repo = config.repoPath;
  const refs = stageRefs(ctx);
  const fork = config.remotes.fork;
  const pushEnabled = config.push.enabled;
  const timeoutMs = config.push.timeoutSeconds * 1000;
  const actions: string[] = [];
  const pushes: PushRecord[] = [];
  const warnings: string[] = [];
  const data: Record<string, unknown> = { pin, pushEnabled, actions, pushes };
  if (!pushEnabled) actions.push('push.enabled is false: nothing pushed to the fork remote');

  const shasAfter = async () => ({
    upstream: pin.upstream,
    mirror: await revParse(ctx.run, repo, refs.mirror),
    trunk: await revParse(ctx.run, repo, refs.trunk),
    forkTrunk: await revParse(ctx.run, repo, refs.forkTrunk),
    forkMirror: await revParse(ctx.run, repo, refs.forkMirror),
  });
  const blocked = async (lease: Lease): Promise<StageResult> => {
    const err = errors.leaseBlocked(lease.ref, lease.expected ?? '(absent)', lease.actual ?? '(absent)', lease.reason);
    return {
      status: 'failed',
      outcome: 'push-blocked',
      summary: `push of ${lease.ref} to ${lease.remote} blocked: ${lease.reason} (expected ${short(lease.expected)}, actual ${short(lease.actual)}); nothing on the fork was overwritten`,
      lease,
      data,
      warnings,
      errors: [err.toJSON()],
      shasAfter: await shasAfter(),
      nextActions: [
        `Fetch ${fork} and inspect what is on ${lease.ref} there (git log ${short(lease.expected)}..${short(lease.actual)}).`,
        `Bring those commits into the local ${config.trunk} (or decide they must go), then rerun rebase-daily.`,
      ],
    };
  };

  // --- Checks: nothing is touched until all of them pass. ---
  const localTrunk = await revParse(ctx.run, repo, refs.trunk);
  if (localTrunk !== pin.trunk) return failed(errors.movedSinceVerify(refs.trunk, pin.trunk, localTrunk ?? '(deleted)'));
  const localMirror = await revParse(ctx.run, repo, refs.mirror);
  if (localMirror !== pin.mirror) return failed(errors.movedSinceVerify(refs.mirror, pin.mirror ?? '(absent)', localMirror ?? '(deleted)'));

  if (pushEnabled) {
    const guard = await neverUpstream(ctx);
    if (guard) return failed(guard);
    // The fork as it is now, not as our last fetch saw it: a stale remote-tracking ref is exactly
    // how a lease ends up protecting nothing.
    const forkTrunkNow = await lsRemoteBranch(ctx.run, repo, fork, config.trunk, timeoutMs);
    const forkMirrorNow = await lsRemoteBranch(ctx.run, repo, fork, config.mirror, timeoutMs);
    if (forkTrunkNow === undefined || forkMirrorNow === undefined) return failed(errors.fetchFailed(fork, 'git ls-remote failed'));
    if (forkTrunkNow !== pin.forkTrunk) {
      return blocked({ ref: `refs/heads/${config.trunk}`, remote: fork, expected: pin.forkTrunk, actual: forkTrunkNow, reason: 'the fork trunk moved since verify' });
    }
    if (forkMirrorNow !== pin.forkMirror) {
      return blocked({ ref: `refs/heads/${config.mirror}`, remote: fork, expected: pin.forkMirror, actual: forkMirrorNow, reason: 'the fork mirror moved since verify' });
    }
    // The lease's expected SHA is the fork trunk seen at the start of the run; it is only safe to
    // replace if the local trunk already contains it — otherwise the push would drop those commits.
    if (pin.forkTrunk && !(await isAncestor(ctx.run, repo, pin.forkTrunk, pin.trunk))) {
      const missing = await listCommits(ctx.run, repo, `${pin.trunk}..${pin.forkTrunk}`, 20);
      data.forkOnlyCommits = missing;
      return blocked({
        ref: `refs/heads/${config.trunk}`,
        remote: fork,
        expected: pin.forkTrunk,
        actual: forkTrunkNow,
        reason: `the fork has ${missing.length || 'some'} trunk commit(s) the local trunk lacks (${missing.slice(0, 3).map((c) => c.sha.slice(0, 12)).join(', ')})`,
      });
    }
    if (pin.forkMirror) {
      const diverged = await divergedCommits(ctx, pin.forkMirror, pin.upstream);
      if (diverged) return failed(errors.mirrorDiverged(`${fork}/${config.mirror}`, diverged));
    }
  }
  if (pin.mirror) {
    const diverged = await divergedCommits(ctx, pin.mirror, pin.upstream);
    if (diverged) return failed(errors.mirrorDiverged(config.mirror, diverged));
  }

  // The engine is chosen before anything moves (the probe reads config, rr-cache and attributes).
  const engine = await chooseEngine(ctx, [pin.trunk, pin.upstream]);
  data.engine = engine.use;
  if (engine.warning) warnings.push(engine.warning);

  // --- Mirror: fast-forward only, locally then on the fork. ---
  if (pin.mirror !== pin.upstream) {
    const holder = await worktreeHolding(ctx.run, repo, config.mirror);
    if (holder) {
      const dirty = await statusPorcelain(ctx.run, holder);
      if (dirty.length) return failed(errors.dirtyTree(dirty.map((l) => l.slice(3))));
      const r = await mergeFfOnly(ctx.run, holder, pin.upstream);
      if (r.exitCode !== 0) return failed(errors.internal(`could not fast-forward ${config.mirror} in ${holder}: ${r.stderr.split('\n')[0]}`));
    } else {
      // Compare-and-swap on the verified value: a concurrent writer makes this fail, not vanish.
      const r = await updateRefCas(ctx.run, repo, refs.mirror, pin.upstream, pin.mirror, 'rebase-daily: fast-forward mirror to upstream');
      if (r.exitCode !== 0) return failed(errors.movedSinceVerify(refs.mirror, pin.mirror ?? '(absent)', (await revParse(ctx.run, repo, refs.mirror)) ?? '(absent)'));
    }
    actions.push(`fast-forwarded ${config.mirror} ${short(pin.mirror)} → ${short(pin.upstream)}`);
  }
  if (pushEnabled && pin.forkMirror !== pin.upstream) {
    const p = await leasePush(ctx.run, repo, fork, config.mirror, pin.upstream, pin.forkMirror, { timeoutMs });
    pushes.push(pushRecord(p));
    if (!p.ok) return blocked(leaseRecord(p));
    actions.push(`pushed ${config.mirror} to ${fork} (${short(pin.forkMirror)} → ${short(pin.upstream)})`);
  }

  // --- Trunk: replay onto the pinned upstream SHA, bump, push with the start-of-run lease. ---
  const upToDate = await isAncestor(ctx.run, repo, pin.upstream, pin.trunk);
  // Old version bumps leave the replay when a fresh one will be written: the same set verify left out.
  const skip = await supersededSkipSet(ctx, pin, upToDate, data, warnings);
  const queue = (await readPatchQueue(ctx.run, repo, pin.upstream, pin.trunk)).queue.filter((p) => !skip.has(p.sha));
  const holder = await worktreeHolding(ctx.run, repo, config.trunk);
  if (holder) {
    const dirty = await statusPorcelain(ctx.run, holder);
    if (dirty.length) return failed(errors.dirtyTree(dirty.map((l) => l.slice(3))));
  }
  let trunkResult: TrunkWork;
  if (engine.use.used === 'memory') {
    trunkResult = await replayAndBump(ctx, holder, pin, upToDate, queue, skip);
  } else {
    data.rebaseWorktree = holder ?? tempWorktreePath(ctx, 'apply');
    const work = (cwd: string) => rebaseAndBump(ctx, cwd, pin, upToDate, queue, skip);
    trunkResult = holder ? await work(holder) : await withTempWorktree(ctx, 'apply', { at: config.trunk }, (wt) => work(wt.path));
  }
  if (trunkResult.bump) data.bump = trunkResult.bump;
  if ('conflict' in trunkResult) {
    const c = trunkResult.conflict;
    return {
      status: 'failed',
      outcome: 'apply-conflict',
      summary: `rebase of ${config.trunk} onto ${short(pin.upstream)} stopped at ${c.patch ? `patch ${c.position ?? '?'}/${c.queueLength ?? '?'} ${short(c.patch.sha)} "${c.patch.subject}"` : 'a patch'} (${c.files.join(', ') || 'unknown files'}); aborted, ${config.trunk} restored to ${short(pin.trunk)}`,
      conflict: c,
      data,
      warnings,
      shasAfter: await shasAfter(),
      nextActions: ['Reproduce with the commands under conflict.reproduce, resolve on the trunk, push it, then rerun rebase-daily.'],
    };
  }
  if ('error' in trunkResult) return { ...failed(trunkResult.error), data, warnings, shasAfter: await shasAfter() };

  const newTrunk = trunkResult.newTrunk;
  const rebased = !upToDate;
  if (rebased) {
    actions.push(
      `rebased ${config.trunk} ${short(pin.trunk)} → ${short(newTrunk)} onto ${short(pin.upstream)} (${engine.use.used === 'memory' ? 'replayed in memory, trunk moved by compare-and-swap' : 'git rebase'})`,
    );
  }
  if (trunkResult.bump?.status === 'committed') actions.push(`committed version ${trunkResult.bump.forkVersion} (${short(trunkResult.bump.commit)})`);

  let pushedTrunk = false;
  if (pushEnabled && newTrunk !== pin.forkTrunk) {
    const p = await leasePush(ctx.run, repo, fork, config.trunk, newTrunk, pin.forkTrunk, { timeoutMs });
    pushes.push(pushRecord(p));
    if (!p.ok) {
      // Nothing reached the fork: put the local trunk back too, so the repo is as verify found it.
      await restoreTrunk(ctx, holder, pin.trunk, newTrunk);
      data.rebasedTrunk = newTrunk;
      actions.push(`restored ${config.trunk} to ${short(pin.trunk)} after the push was refused (rebased result was ${short(newTrunk)})`);
      return blocked(leaseRecord(p));
    }
    pushedTrunk = true;
    actions.push(`pushed ${config.trunk} to ${fork} with lease ${short(pin.forkTrunk)} (→ ${short(newTrunk)})`);
  }
  data.trunk = { before: pin.trunk, after: newTrunk, rebased, pushed: pushedTrunk };
  const changed = newTrunk !== pin.trunk || pushedTrunk;
  return {
    status: 'ok',
    outcome: changed ? 'success' : 'no-change',
    summary: changed
      ? `${config.trunk} ${short(pin.trunk)} → ${short(newTrunk)} on upstream ${short(pin.upstream)}${pushedTrunk ? `, pushed to ${fork}` : ''}`
      : `${config.trunk} already on upstream ${short(pin.upstream)}; nothing to apply`,
    data,
    warnings,
    shasAfter: await shasAfter(),
  };
}

type TrunkWork = { newTrunk: string; bump?: BumpResult } | { conflict: NonNullable<StageResult['conflict']>; bump?: BumpResult } | { error: RebaseDailyError; bump?: BumpResult };

/** Rebase the trunk checked out in `cwd`, then bump; on any failure put the trunk back to `pin.trunk`. */
async function rebaseAndBump(ctx: StageContext, cwd: string, pin: Pin, upToDate: boolean, queue: Patch[], skip: ReadonlySet<string>): Promise<TrunkWork> {
  const restore = async () => {
    const run = uninterruptible(ctx.run);
    await abortIfRebasing(run, cwd);
    ctx.unregisterTemporary('operation', cwd);
    if ((await revParse(run, cwd, 'HEAD')) !== pin.trunk) await resetHard(run, cwd, pin.trunk);
  };
  if (!upToDate) {
    ctx.progress.info(`apply: rebasing ${ctx.config.trunk} onto ${short(pin.upstream)}`);
    const r = await recordedRebase(ctx, cwd, pin.upstream, [...skip]);
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
 * database (the new commits go to the real store, referenced by nothing yet), then move the trunk in
 * one compare-and-swap from the verified SHA — a crash leaves either the old trunk or the new one,
 * never half a rebase — and bring a worktree that has it checked out along. Then bump, as the
 * worktree path does; any failure after the move puts the trunk back to `pin.trunk`.
 */
async function replayAndBump(ctx: StageContext, holder: string | null, pin: Pin, upToDate: boolean, queue: Patch[], skip: ReadonlySet<string>): Promise<TrunkWork> {
  const repo = ctx.config.repoPath;
  let newTrunk = pin.trunk;
  if (!upToDate) {
    ctx.progress.info(`apply: replaying ${ctx.config.trunk} onto ${short(pin.upstream)} in memory`);
    const listed = await listQueue(ctx.run, repo, pin.upstream, pin.trunk);
    const q = { ...listed, commits: listed.commits.filter((c) => !skip.has(c.sha)) };
    const replay = await replayQueue(ctx.run, repo, { onto: pin.upstream, commits: q.commits, alreadyUpstream: q.alreadyUpstream });
    // Nothing has moved yet: an interrupt or a conflict here leaves only unreferenced objects.
    if (ctx.signal.aborted) throw errors.interrupted('a signal');
    if (!replay.ok) {
      const stop = { commit: replay.commit, subject: replay.subject, index: replay.failedIndex, queueLength: q.commits.length, files: replay.files };
      return { conflict: replayConflict('apply', queue, stop, { repo, worktreePath: reproduceWorktreePath(ctx, 'apply'), trunk: pin.trunk, upstream: pin.upstream, skip: [...skip] }) };
    }
    const moved = await moveTrunk(ctx, holder, replay.newTip, pin.trunk);
    if (moved) return { error: moved };
    newTrunk = replay.newTip;
  }
  if (!ctx.config.version) return { newTrunk };
  const version = ctx.config.version;
  const bumpIn = (cwd: string) => bumpVersion(ctx.run, { cwd, upstreamSha: pin.upstream, version });
  const bump = holder ? await bumpIn(holder) : await withTempWorktree(ctx, 'apply', { at: ctx.config.trunk }, (wt) => bumpIn(wt.path));
  if (bump.status === 'failed') {
    const current = (await revParse(ctx.run, repo, `refs/heads/${ctx.config.trunk}`)) ?? newTrunk;
    if (current !== pin.trunk) await restoreTrunk(ctx, holder, pin.trunk, current);
    return { error: bumpFailure(bump), bump };
  }
  return { newTrunk: bump.status === 'committed' && bump.commit ? bump.commit : newTrunk, bump };
}

/**
 * Move `refs/heads/<trunk>` from `old` to `newTip` with a compare-and-swap, then update the worktree
 * that has it checked out (preflight proved it clean). Returns an error, with everything as it was,
 * when the trunk moved concurrently or the worktree could not follow.
 */
async function moveTrunk(ctx: StageContext, holder: string | null, newTip: string, old: string): Promise<RebaseDailyError | null> {
  const repo = ctx.config.repoPath;
  const ref = `refs/heads/${ctx.config.trunk}`;
  // Once we decide to move, the move and the worktree update finish even if a signal arrives.
  const run = uninterruptible(ctx.run);
  const cas = await casUpdateRef(run, repo, ref, newTip, old, { reason: `rebase-daily: replay ${ctx.config.trunk} onto upstream` });
  if (!cas.ok) return errors.movedSinceVerify(ref, old, (await revParse(run, repo, ref)) ?? '(deleted)');
  if (!holder) return null;
  // The worktree's index and files still hold the old tree. `git read-tree -m -u <old> <new>` is the
  // two-tree merge `git checkout` performs: it moves index and files from the old tree to the new one
  // and refuses, touching nothing, if that would lose a local change or overwrite an untracked file.
  // Not `git reset --keep <new>`: it moves the branch itself (without our compare-and-swap on the
  // verified SHA), and run after the CAS it sees HEAD already at <new> and updates no file at all.
  const r = await run('git', ['read-tree', '-m', '-u', old, newTip], { cwd: holder });
  if (r.exitCode === 0) return null;
  const back = await casUpdateRef(run, repo, ref, old, newTip, { reason: 'rebase-daily: put the trunk back (worktree could not follow)' });
  return errors.internal(
    `moved ${ref} but could not update the worktree ${holder} (git read-tree exit ${r.exitCode}: ${r.stderr.split('\n')[0] ?? ''}); ${back.ok ? `${ctx.config.trunk} put back to ${short(old)}` : `${ctx.config.trunk} is at ${short(newTip)}: run \`git read-tree -m -u ${old} ${newTip}\` in ${holder}`}`,
  );
}

/** Put the local trunk back to `sha` (after a refused push): reset where it is checked out, else a CAS ref update. */
async function restoreTrunk(ctx: StageContext, holder: string | null, sha: string, current: string): Promise<void> {
  const run = uninterruptible(ctx.run);
  if (holder) await resetHard(run, holder, sha);
  else await updateRefCas(run, ctx.config.repoPath, `refs/heads/${ctx.config.trunk}`, sha, current, 'rebase-daily: restore trunk after refused push');
}

/** Commits of `mirror` that upstream does not have ("sha subject"), or null when it is an ancestor. */
async function divergedCommits(ctx: StageContext, mirror: string, upstream: string): Promise<string[] | null> {
  if (await isAncestor(ctx.run, ctx.config.repoPath, mirror, upstream)) return null;
  const commits = await listCommits(ctx.run, ctx.config.repoPath, `${upstream}..${mirror}`, 20);
  return commits.length ? commits.map((c) => `${c.sha.slice(0, 12)} ${c.subject}`) : [`${mirror.slice(0, 12)} (not in upstream)`];
}

/** Refuse when the fork remote pushes to the same place upstream lives: rebase-daily never pushes upstream. */
async function neverUpstream(ctx: StageContext): Promise<RebaseDailyError | null> {
  const repo = ctx.config.repoPath;
  const { fork, upstream } = ctx.config.remotes;
  const forkPush = await remoteUrl(ctx.run, repo, fork, true);
  const upstreamUrls = [await remoteUrl(ctx.run, repo, upstream), await remoteUrl(ctx.run, repo, upstream, true)];
  if (forkPush && upstreamUrls.includes(forkPush)) {
    return errors.internal(`remote "${fork}" pushes to ${forkPush}, which is the upstream remote's URL; rebase-daily never pushes upstream: fix remotes.fork`);
  }
  return null;
}

function failed(err: RebaseDailyError): StageResult {
  return { status: 'failed', outcome: err.exitCode === 12 ? 'push-blocked' : 'error', summary: err.message, errors: [err.toJSON()] };
}
