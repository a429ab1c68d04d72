import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { hostname } from 'node:os';
import {
  acquireLock,
  assertWholeHistory,
  trunkAheadCommits,
  errors,
  excludeScratch,
  firstLine,
  gitDir,
  isAncestor,
  loadResolveState,
  loadState,
  lockDirFor,
  lsRemoteBranch,
  newRunId,
  readShas,
  releaseLock,
  remoteExists,
  resolveErrors,
  resolvePaths,
  revParse,
  rmResolveState,
  runPaths,
  RESOLVE_BRANCH_PREFIX,
  shortSha,
  type LockMeta,
  type Pin,
  type ResolvePin,
  type ResolveState,
} from '@rebase-daily/core';
import { addWorktree } from '../engine/git-ops.js';
import { readPatchQueue } from '../engine/patch-queue.js';
import { findSupersededBumps } from '../version/superseded-bumps.js';
import { removeRecorded, resolution, resolveLockMeta, type ResolveEnv } from './lifecycle.js';
import { replay, type ReplayOutcome } from './replay.js';
import { buildContextBundle, writeContextBundle } from '../context/context-bundle.js';

export interface StartOptions {
  authorisedBy: string | null;
  /** Fetch both remotes first (default true). */
  fetch?: boolean;
}

export type StartResult =
  | { kind: 'lock-taken'; message: string; holder: LockMeta | null }
  | { kind: 'started'; state: ResolveState; outcome: ReplayOutcome };


/**
 * `resolve start`: take the lock as a hold of kind `resolve`, pin upstream, trunk and the fork's
 * trunk (the latest verify's pin when it still matches the fetched refs, else fresh), create the
 * resolution worktree on a temporary branch (both recorded before they exist), and replay the queue
 * until the first conflict. Anything failing before the first conflict undoes what it made.
 */
export async function startResolution(env: ResolveEnv, options: StartOptions): Promise<StartResult> {
  const { config, run } = env;
  const repo = config.repoPath;
  if (!(await gitDir(run, repo))) throw errors.notARepo(repo);
  const cdup = (await run('git', ['rev-parse', '--show-cdup'], { cwd: repo })).stdout.trim();
  if (cdup) throw errors.notTopLevel(repo, resolve(repo, cdup));
  const existing = loadResolveState(config.scratchPath);
  if (existing) throw resolveErrors.active(existing.id, `${existing.phase}, worktree ${existing.worktree ?? '(none)'}`);

  const id = newRunId();
  const now = new Date().toISOString();
  const state: ResolveState = {
    schemaVersion: 1,
    id,
    phase: 'starting',
    startedAt: now,
    updatedAt: now,
    user: env.user,
    host: hostname(),
    authorisedBy: options.authorisedBy,
    repo,
    trunk: config.trunk,
    mirror: config.mirror,
    forkRemote: config.remotes.fork,
    lockRunId: `resolve-${id}`,
    pin: null,
    queue: [],
    worktree: null,
    branch: null,
    rerere: { enabled: false, cache: resolvePaths(config.scratchPath).rrCache, note: 'not used yet', link: null },
    stops: [],
    droppedEmpty: [],
    replayedTip: null,
    finish: null,
    warnings: [],
  };
  if (options.fetch !== false) await refuseCleanDay(env);
  const lockDir = lockDirFor(config.scratchPath);
  const lock = acquireLock({ lockDir, meta: resolveLockMeta({ ...state, worktree: resolvePaths(config.scratchPath, id).worktree }), staleAfterHours: config.lock.staleAfterHours, forceStale: false });
  if (!lock.acquired) return { kind: 'lock-taken', message: lock.message, holder: lock.holder };
  const r = resolution(config, state);
  r.save();
  try {
    state.pin = await pinShas(env, options);
    if (await isAncestor(run, repo, state.pin.upstream, state.pin.trunk)) throw resolveErrors.nothingToResolve(config.trunk, state.pin.upstream);
    const pq = await readPatchQueue(run, repo, state.pin.upstream, state.pin.trunk);
    // The daily run's queue: old version bumps leave the replay, the fresh one finish writes replaces them.
    const superseded = await findSupersededBumps(run, repo, state.pin.upstream, state.pin.trunk, config.version);
    const skip = new Set(superseded.superseded.map((c) => c.sha));
    state.queue = pq.queue.filter((p) => !skip.has(p.sha));
    if (skip.size) state.warnings.push(`${skip.size} version bump commit(s) superseded by the fresh bump finish writes: ${superseded.superseded.map((c) => shortSha(c.sha)).join(', ')}`);
    state.pin.base = pq.base;
    if (pq.merges.length) state.warnings.push(`${pq.merges.length} merge commit(s) on ${config.trunk} are linearized by the replay, as apply does`);
    if (pq.dropped.length) state.warnings.push(`${pq.dropped.length} patch(es) already upstream are not replayed: ${pq.dropped.map((p) => `${shortSha(p.sha)} "${p.subject}"`).join(', ')}`);

    // Record first, create second: whatever exists is in the state, so abort removes exactly it.
    state.worktree = resolvePaths(config.scratchPath, id).worktree;
    state.branch = `${RESOLVE_BRANCH_PREFIX}${id}`;
    r.save();
    await excludeScratch(run, repo, config.scratchPath);
    mkdirSync(dirname(state.worktree), { recursive: true });
    const added = await addWorktree(run, repo, state.worktree, state.pin.trunk, state.branch);
    if (added.exitCode !== 0) throw errors.internal(`could not create the resolution worktree ${state.worktree}: ${firstLine(added.stderr)}`);
    env.progress.info(`resolve: replaying ${state.queue.length} patch(es) of ${config.trunk} onto ${shortSha(state.pin.upstream)} in ${state.worktree}`);
    const outcome = await replay(env, r, 'start');
    if (outcome.kind === 'conflict') await writeStartBundle(env, state, r);
    return { kind: 'started', state, outcome };
  } catch (err) {
    await removeRecorded(env, r).catch(() => []);
    rmResolveState(config.scratchPath);
    releaseLock(lockDir, state.lockRunId);
    throw err;
  }
}

/** The context bundle for the first stop, beside the resolution's state (a failure to write it is a warning). */
async function writeStartBundle(env: ResolveEnv, state: ResolveState, r: ReturnType<typeof resolution>): Promise<void> {
  const pin = state.pin;
  if (!pin) return;
  try {
    const bundle = await buildContextBundle(env.run, env.config.repoPath, { base: pin.base ?? pin.upstream, upstream: pin.upstream, trunk: pin.trunk, files: state.stops.at(-1)?.files ?? [], removed: env.config.conflicts.policy.removed });
    state.contextBundle = writeContextBundle(join(resolvePaths(env.config.scratchPath).base, 'context'), bundle);
    env.progress.info(`resolve: context bundle (upstream commits, areas, fork patches per conflicted file) in ${state.contextBundle.md}`);
  } catch (error) {
    state.warnings.push(`context bundle not written: ${error instanceof Error ? error.message : String(error)}`);
  }
  r.save();
}

/**
 * A clean day is refused before the lock is taken (a cron run starting meanwhile must not meet a
 * resolution's lock for nothing): upstream's tip, read with `ls-remote` (writes nothing), is
 * already in the local trunk. An upstream tip this clone does not have yet goes on to the fetch.
 */
async function refuseCleanDay(env: ResolveEnv): Promise<void> {
  const { config, run } = env;
  const repo = config.repoPath;
  const trunk = await revParse(run, repo, `refs/heads/${config.trunk}`);
  if (!trunk || !(await remoteExists(run, repo, config.remotes.upstream))) return;
  const tip = await lsRemoteBranch(run, repo, config.remotes.upstream, config.upstreamBranch, config.push.timeoutSeconds * 1000);
  if (tip && (await isAncestor(run, repo, tip, trunk))) throw resolveErrors.nothingToResolve(config.trunk, tip);
}

/** The SHAs the resolution works from: after a fetch, the latest verify's pin when it still matches, else the fetched refs. */
async function pinShas(env: ResolveEnv, options: StartOptions): Promise<ResolvePin> {
  const { config, run } = env;
  const repo = config.repoPath;
  for (const [name, field] of [
    [config.remotes.fork, 'remotes.fork'],
    [config.remotes.upstream, 'remotes.upstream'],
  ] as const) {
    if (!(await remoteExists(run, repo, name))) throw errors.remoteMissing(name, field);
  }
  if (!(await revParse(run, repo, `refs/heads/${config.trunk}`))) throw errors.branchMissing(config.trunk, 'trunk');
  if (options.fetch !== false) {
    for (const remote of [config.remotes.upstream, config.remotes.fork]) {
      const f = await run('git', ['fetch', '--prune', '--quiet', remote], { cwd: repo, timeoutMs: config.push.timeoutSeconds * 1000 });
      if (f.exitCode !== 0) throw errors.fetchFailed(remote, f.timedOut ? 'timed out' : f.stderr);
    }
  }
  const shas = await readShas(run, config);
  if (!shas.upstream || !shas.trunk) throw errors.internal(`${config.remotes.upstream}/${config.upstreamBranch} or ${config.trunk} is missing after fetch; fix the config`);
  // The same refusals as the daily run's preflight: a history cut short, an unpushed local commit.
  await assertWholeHistory(run, repo, config.remotes.fork, [shas.trunk, shas.upstream]);
  if (config.push.enabled && config.publish.trunkSource !== 'local') {
    const ahead = await trunkAheadCommits(run, repo, shas.trunk, shas.forkTrunk);
    if (ahead.length) throw errors.trunkAhead(config.trunk, config.remotes.fork, ahead);
  }
  const latest = latestVerifyPin(config.scratchPath);
  const base = { upstream: shas.upstream, trunk: shas.trunk, forkTrunk: shas.forkTrunk, mirror: shas.mirror, forkMirror: shas.forkMirror ?? null, base: null };
  if (!latest) return { ...base, source: 'fresh: no verify run recorded; pinned the fetched refs (the replay is the verification)' };
  const { pin, runId } = latest;
  const moved = (['upstream', 'trunk', 'forkTrunk'] as const).filter((k) => pin[k] !== base[k]);
  if (!moved.length) return { ...base, source: `verify ${runId}` };
  return { ...base, source: `fresh: the latest verify (${runId}) pinned other SHAs for ${moved.join(', ')}; pinned the fetched refs (the replay is the verification)` };
}

/** The pin of the newest run that verified (clean or not). */
function latestVerifyPin(scratchPath: string): { pin: Pin; runId: string } | null {
  const dir = runPaths(scratchPath).runsDir;
  if (!existsSync(dir)) return null;
  for (const id of readdirSync(dir).sort().reverse()) {
    const s = loadState(scratchPath, id);
    if (s?.pin) return { pin: s.pin, runId: s.runId };
  }
  return null;
}
