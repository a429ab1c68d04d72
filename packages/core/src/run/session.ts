import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import type { ResolvedConfig } from '../config/config.js';
import { errors, outcomeOf, toErrorRecord } from '../errors/errors.js';
import { exitCodeFor, type Outcome } from '../errors/exit-codes.js';
import { excludeScratch, readRefs } from '../process/git-basics.js';
import type { PublishData } from '../contracts/publish-data.js';
import { adoptKeptCandidates, pruneCandidateRefs, recoverCrashedCandidates, undoCandidates, unpublished } from '../recovery/candidates.js';
import { recoverGitLocks, removeOwnGitLocks } from '../recovery/git-locks.js';
import { acquireLock, lockDirFor, readLockMeta, releaseLock, pidAlive } from '../lock/lock.js';
import { newRunId, runPaths } from '../config/paths.js';
import { preflight, readShas } from '../repo/preflight.js';
import { redactDeep } from '../process/redact.js';
import { boundRunner, CommandLog, type Runner } from '../process/process.js';
import { checkRepoPath, checkScratchDir } from '../repo/repo-checks.js';
import { cleanLeftovers, PRUNED, refuseForeignOperation, restoreRepo } from '../repo/repo-guard.js';
import { loadState, saveState, writeJsonAtomic } from '../contracts/state-file.js';
import { PinSchema, STAGES, type Pin, type RunState, type StageName, type StageResult } from '../contracts/run-state.js';
import { checkStageData } from '../contracts/stage-data.js';
import { recordsInto } from '../contracts/stage-records.js';
import { nullProgress, type Progress, type StageContext, type StageImpl } from '../contracts/stage.js';
import { acquireRemoteLock, releaseRemoteLock } from '../lock/remote-lock.js';
import { unstoppedOutcome } from './run-outcome.js';

/**
 * Writes report.json + summary.md for a finished state. Core does not know how: the caller hands it
 * in (`writeRunReport` of @rebase-daily/report, from the CLI and every Nx executor), so the dependency
 * is declared where it is used and core depends on no other package.
 */
export type ReportWriter = (state: RunState) => Promise<{ dir: string } | void> | { dir: string } | void;

export interface SessionOptions {
  command: string;
  /** Stages this run intends to run, in pipeline order. */
  stages: StageName[];
  /** The long-lived process owning the lock (the Nx orchestrator when stages are separate Nx tasks). */
  ownerPid?: number;
  runId?: string;
  env?: NodeJS.ProcessEnv;
  progress?: Progress;
  /** Skip fetching in preflight (tests of offline behaviour only). */
  fetch?: boolean;
  /** Aborted by SIGINT/SIGTERM handlers installed by the caller. */
  abort?: AbortController;
}

export interface Session {
  config: ResolvedConfig;
  state: RunState;
  log: CommandLog;
  run: Runner;
  progress: Progress;
  abort: AbortController;
}


/** Bookkeeping files of a run (pointer, last pin, kept candidates): atomic and redacted, like its state. */
function atomicWriteJson(path: string, value: unknown): void {
  writeJsonAtomic(path, redactDeep(value));
}

/** The pin of the last clean verify (for `apply` run on its own). */
export function loadLastPin(scratchPath: string): Pin | null {
  const file = runPaths(scratchPath).lastVerify;
  if (!existsSync(file)) return null;
  const parsed = PinSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : null;
}

/** A fresh run state for `config`: every stage of `options.stages` pending, the others skipped. */
export function createRunState(config: ResolvedConfig, options: Pick<SessionOptions, 'command' | 'stages'>, runId: string): RunState {
  const empty = { upstream: null, mirror: null, trunk: null, forkTrunk: null };
  return {
    schemaVersion: 1,
    runId,
    command: options.command,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    host: hostname(),
    pid: process.pid,
    configPath: config.configPath,
    conflictsOwner: config.conflicts.owner,
    repo: config.repoPath,
    scratchDir: config.scratchPath,
    trunk: config.trunk,
    mirror: config.mirror,
    upstreamRef: `${config.remotes.upstream}/${config.upstreamBranch}`,
    remotes: { ...config.remotes },
    startBranch: null,
    startHead: null,
    lock: { path: lockDirFor(config.scratchPath), acquired: false, override: false, holder: null, ageHours: null, takenOver: null },
    shas: { before: { ...empty }, after: { ...empty } },
    pin: null,
    stages: STAGES.map((name) => ({
      name,
      status: options.stages.includes(name) ? 'pending' : 'skipped',
      summary: options.stages.includes(name) ? '' : `not part of \`${options.command}\``,
      startedAt: null,
      finishedAt: null,
      durationMs: null,
      data: {},
    })),
    outcome: null,
    exitCode: null,
    stoppedBy: null,
    conflict: null,
    lease: null,
    errors: [],
    warnings: [],
    leftovers: [],
    preflightOk: false,
    temporaries: [],
    nextActions: [],
    upstreamMoved: null,
    sideEffects: [],
    candidates: [],
    undoFiles: [],
    commandLog: null,
    reportDir: null,
  };
}

function stopRun(state: RunState, outcome: Outcome, stage: StageName | null, err?: unknown): void {
  state.outcome = outcome;
  state.exitCode = exitCodeFor(outcome);
  state.stoppedBy = stage;
  if (err !== undefined) state.errors.push(toErrorRecord(err));
  for (const s of state.stages) {
    if (s.status === 'pending') {
      s.status = 'skipped';
      s.summary = stage ? `skipped: the run stopped at ${stage}` : 'skipped: the run stopped before any stage';
    }
  }
}

/**
 * The fork remote's lock, taken right after the local one. Refused: the local lock is given back
 * and the run stops as lock-taken (exit 15) naming the holder's host and run.
 */
async function takeRemoteLock(session: Session, env: NodeJS.ProcessEnv): Promise<boolean> {
  const { config, state, run, progress } = session;
  const meta = { host: hostname(), pid: process.pid, runId: state.runId, startedAt: state.startedAt };
  const options = { repo: config.repoPath, remote: config.remotes.fork, trunk: config.trunk, meta, staleAfterHours: config.lock.staleAfterHours, forceStale: env.FORCE_STALE_LOCK === '1', timeoutMs: config.push.timeoutSeconds * 1000 };
  const result = await acquireRemoteLock(run, options).catch((err: Error) => ({ acquired: false as const, info: null, stale: false, message: `could not take the fork remote's lock: ${err.message}` }));
  if (result.acquired) {
    state.lock.remote = result.info;
    if (result.warning) {
      state.warnings.push(result.warning);
      progress.warn(result.warning);
    }
    return true;
  }
  state.lock.remote = result.info;
  releaseLock(state.lock.path, state.runId);
  state.lock.acquired = false;
  progress.error(result.message);
  stopRun(state, 'lock-taken', null, errors.lockTaken(result.message, { remoteHolder: result.info?.holder ?? null, stale: result.stale }));
  saveState(state);
  return false;
}

/**
 * Begin a run: lock, leftovers of crashed runs, preflight (clean tree, remotes, fetch), SHA
 * snapshot. Always returns a session; when the lock is refused or preflight fails the state is
 * already stopped (outcome lock-taken / error) and the caller goes straight to `finishRun`.
 */
export async function beginRun(config: ResolvedConfig, options: SessionOptions): Promise<Session> {
  const env = options.env ?? process.env;
  const runId = options.runId ?? env.REBASE_DAILY_RUN_ID ?? newRunId();
  const state = createRunState(config, options, runId);
  const paths = runPaths(config.scratchPath, runId);
  const log = new CommandLog();
  const abort = options.abort ?? new AbortController();
  const run = boundRunner(log, abort.signal);
  const progress = options.progress ?? nullProgress;
  const session: Session = { config, state, log, run, progress, abort };

  // Refusals that write nothing — no run dir, no exclude line, no lock: the repo path must be a
  // repository's top level, the scratch dir a place the run may write, and no operation the user
  // started may be in progress (a crashed run's own rebase is the cleanup's, under the lock).
  await checkRepoPath(run, config.repoPath);
  await checkScratchDir(run, config);
  const crashedOp = await refuseForeignOperation(run, config);
  if (crashedOp) progress.warn(`a ${crashedOp.op} left by crashed run ${crashedOp.recordedBy} is in progress; it is aborted once the lock is held`);

  // The exclude line first, the scratch dir second: a run killed in between must not leave the
  // scratch dir untracked in the tree (the next preflight and doctor would call the tree dirty).
  const excluded = await excludeScratch(run, config.repoPath, config.scratchPath).catch(() => null);
  if (excluded) state.sideEffects.push(excluded);
  mkdirSync(paths.runDir, { recursive: true });
  log.attach(paths.commandLog);
  state.commandLog = paths.commandLog;

  const quick = await readRefs(run, config.repoPath, [`refs/heads/${config.trunk}`, `refs/heads/${config.mirror}`]);
  const quickShas: Record<string, string | null> = { trunk: quick.get(`refs/heads/${config.trunk}`) ?? null, mirror: quick.get(`refs/heads/${config.mirror}`) ?? null };
  const ownerPid = options.ownerPid ?? process.pid;
  const lock = acquireLock({
    lockDir: state.lock.path,
    staleAfterHours: config.lock.staleAfterHours,
    forceStale: env.FORCE_STALE_LOCK === '1',
    meta: { runId, pid: process.pid, ownerPid, hostname: hostname(), startedAt: state.startedAt, command: options.command, shas: quickShas },
  });
  if (!lock.acquired) {
    state.lock = { ...state.lock, holder: lock.holder as Record<string, unknown> | null, ageHours: round(lock.ageHours) };
    progress.error(lock.message);
    stopRun(state, 'lock-taken', null, errors.lockTaken(lock.message, { holder: lock.holder, stale: lock.stale, pidAlive: lock.pidAlive }));
    saveState(state);
    return session;
  }
  state.lock.acquired = true;
  if (lock.override) {
    state.lock = { ...state.lock, override: true, holder: lock.override.previous as Record<string, unknown> | null, ageHours: round(lock.override.ageHours) };
    state.warnings.push(`FORCE_STALE_LOCK=1 broke a stale lock (${lock.override.ageHours.toFixed(1)} h old, run ${lock.override.previous?.runId ?? 'unknown'})`);
    progress.warn(state.warnings[state.warnings.length - 1]);
  }
  if (lock.takenOver) {
    state.lock.takenOver = { previous: lock.takenOver.previous as unknown as Record<string, unknown>, reason: lock.takenOver.reason };
    state.warnings.push(`took over the lock of run ${lock.takenOver.previous.runId} (${lock.takenOver.previous.command}, since ${lock.takenOver.previous.startedAt}): its holder is dead — ${lock.takenOver.reason}`);
    progress.warn(state.warnings[state.warnings.length - 1]);
  }
  if (config.lock.remote && !(await takeRemoteLock(session, env))) return session;
  if (ownerPid !== process.pid) atomicWriteJson(paths.activeRun, { runId, ownerPid });
  saveState(state);

  try {
    // git's lock files a killed run left come first: every later git command (the leftovers'
    // `branch -D`, preflight's fetch) would fail on them.
    const gitLocks = await recoverGitLocks(run, config, runId);
    state.leftovers = [...gitLocks.inFlight, ...gitLocks.recovered];
    if (gitLocks.refusal) throw gitLocks.refusal;
    const cleaned = await cleanLeftovers(run, config, runId);
    state.leftovers.push(...cleaned.filter((l) => !l.startsWith(PRUNED)));
    state.sideEffects.push(...cleaned.filter((l) => l.startsWith(PRUNED)));
    const recovered = await recoverCrashedCandidates(run, config, runId, config.push.timeoutSeconds * 1000);
    state.leftovers.push(...recovered.found, ...(await pruneCandidateRefs(run, config.repoPath)));
    state.warnings.push(...recovered.problems);
    for (const l of state.leftovers) progress.warn(`leftover of a crashed run: ${l}`);
    const leftBehind = state.leftovers.filter((l) => /could not/.test(l));
    if (leftBehind.length) state.errors.push(cleanupRecord(`leftovers of a crashed run could not be removed: ${leftBehind.join('; ')}; remove them by hand after checking (see the runbook, exit 1)`));
    progress.info(`preflight: ${config.repoPath} (trunk ${config.trunk}, fetching ${config.remotes.upstream} and ${config.remotes.fork})`);
    const publishes = options.stages.includes('publish') || (options.stages.includes('apply') && config.publish.when === 'after-apply');
    const pre = await preflight(run, config, { fetch: options.fetch, publishes });
    state.preflightOk = true;
    state.startBranch = pre.startBranch;
    state.startHead = pre.startHead;
    state.shas.before = pre.shasBeforeFetch;
    state.shas.observed = pre.shas;
    state.shas.after = { ...pre.shas };
    state.upstreamMoved = pre.upstreamMoved;
  } catch (err) {
    stopRun(state, outcomeOf(err), null, err);
    progress.error(`${toErrorRecord(err).code}: ${(err as Error).message}`);
  }
  saveState(state);
  return session;
}

/**
 * Join the run begun by an earlier Nx task of the same invocation: the active-run pointer and the
 * lock must both name this run and this owner process.
 */
export function joinRun(config: ResolvedConfig, ownerPid: number, progress: Progress = nullProgress): Session {
  const paths = runPaths(config.scratchPath);
  const pointer = existsSync(paths.activeRun) ? (JSON.parse(readFileSync(paths.activeRun, 'utf8')) as { runId: string; ownerPid: number }) : null;
  const meta = readLockMeta(lockDirFor(config.scratchPath));
  if (!pointer || !meta || pointer.runId !== meta.runId || pointer.ownerPid !== ownerPid || meta.ownerPid !== ownerPid) {
    throw errors.noActiveRun('no run of this invocation holds the lock; start the graph from its first stage (`nx run rebase:daily`)');
  }
  const state = loadState(config.scratchPath, pointer.runId);
  if (!state) throw errors.noActiveRun(`run state of ${pointer.runId} is missing or unreadable; rerun the whole graph`);
  const log = new CommandLog();
  if (state.commandLog) log.file = state.commandLog;
  const abort = new AbortController();
  return { config, state, log, run: boundRunner(log, abort.signal), progress, abort };
}

export function isStopped(state: RunState): boolean {
  return state.outcome !== null && state.exitCode !== 0;
}

/** Run one stage under the skip rules and fold its result into the state. */
export async function runStage(session: Session, name: Exclude<StageName, 'report'>, impl: StageImpl): Promise<void> {
  const { state, config, progress } = session;
  const record = state.stages.find((s) => s.name === name)!;
  if (session.abort.signal.aborted && !isStopped(state)) {
    stopRun(state, 'interrupted', null, errors.interrupted(String(session.abort.signal.reason ?? 'signal')));
  }
  if (isStopped(state)) {
    record.status = 'skipped';
    record.summary = state.stoppedBy ? `skipped: the run stopped at ${state.stoppedBy}` : 'skipped: the run stopped before any stage';
    saveState(state);
    return;
  }
  if (name === 'apply' && !state.pin) {
    const pin = loadLastPin(config.scratchPath);
    if (pin && pin.clean) state.pin = pin;
  }
  if (name === 'publish' && state.candidates.length === 0) state.candidates = await adoptKeptCandidates(session.run, config);
  record.status = 'running';
  record.startedAt = new Date().toISOString();
  saveState(state);
  progress.info(`${name}: started`);
  const started = performance.now();
  const ctx: StageContext = {
    config,
    state: structuredClone(state),
    run: session.run,
    commandLog: session.log,
    progress,
    runDir: runPaths(config.scratchPath, state.runId).runDir,
    signal: session.abort.signal,
    // Each record is saved before the hook returns: before the caller creates the thing.
    ...recordsInto(state),
  };
  let result: StageResult;
  try {
    result = await impl(ctx);
  } catch (err) {
    result = { status: 'failed', summary: (err as Error).message, outcome: outcomeOf(err), errors: [toErrorRecord(err)] };
  }
  if (session.abort.signal.aborted) {
    // Whatever the stage made of its killed commands (a "refused" push, a "conflict"), the cause
    // is the interrupt: exit 130/143, not a domain code that would send a human after the wrong problem.
    result = { ...result, status: 'failed', summary: `interrupted: ${result.summary}`, outcome: 'interrupted', conflict: undefined, lease: undefined };
    // The stage's own errors came from the killed commands ("refused-locally: cancelled"): replace
    // them, so the report does not send the operator after a lease or a conflict that never was.
    result.errors = [toErrorRecord(errors.interrupted(String(session.abort.signal.reason ?? 'signal')))];
  }
  record.finishedAt = new Date().toISOString();
  record.durationMs = Math.round(performance.now() - started);
  foldResult(state, name, result);
  progress.info(`${name}: ${record.status}${record.summary ? ` — ${record.summary}` : ''}`);
  saveState(state);
}

/**
 * Record a stage that did not run in this process because Nx replayed it from its cache. The
 * replayed record keeps its status: a replay never turns a failure into a success. Its times are this
 * run's (the replay happened now, taking no time), never the recording run's; a replayed validation
 * says so in its data (`cached: true`, `cachedFrom: <run>`), where the summary and envelope read it.
 */
export function foldReplayedStage(session: Session, name: StageName, record: RunState['stages'][number] | null, outcome: Outcome | null, note: string, from: string | null = null): void {
  const { state } = session;
  const target = state.stages.find((s) => s.name === name)!;
  if (!record) {
    Object.assign(target, { status: 'failed', summary: note, finishedAt: new Date().toISOString() });
    stopRun(state, 'error', name, errors.nxReplay(note));
  } else {
    const now = new Date().toISOString();
    const data = record.data && typeof record.data === 'object' && 'cached' in record.data ? { ...record.data, cached: true, cachedFrom: (record.data as { cachedFrom?: string }).cachedFrom ?? from ?? undefined } : record.data;
    Object.assign(target, { ...record, data, startedAt: now, finishedAt: now, durationMs: 0, summary: `${note}: ${record.summary}` });
    if (record.status === 'failed') stopRun(state, outcome ?? 'error', name);
  }
  saveState(state);
}

function foldResult(state: RunState, name: StageName, result: StageResult): void {
  const record = state.stages.find((s) => s.name === name)!;
  record.status = result.status;
  record.summary = result.summary;
  // The stage's data must match its contract (stage-data.ts): the report reads it typed.
  const checked = checkStageData(name, result.data);
  record.data = checked.data;
  if (!checked.ok) {
    const err = errors.stageData(name, checked.problems);
    state.errors.push(err.toJSON());
    if (result.status !== 'failed') result = { ...result, status: 'failed', outcome: 'error' };
    record.status = 'failed';
  }
  if (result.pin) {
    state.pin = result.pin;
    if (result.pin.clean) atomicWriteJson(runPaths(state.scratchDir).lastVerify, result.pin);
  }
  if (result.shasAfter) state.shas.after = { ...state.shas.after, ...result.shasAfter };
  if (result.conflict) state.conflict = result.conflict;
  if (result.lease) state.lease = result.lease;
  state.errors.push(...(result.errors ?? []));
  state.warnings.push(...(result.warnings ?? []));
  state.nextActions.push(...(result.nextActions ?? []));
  if (result.status === 'failed') stopRun(state, result.outcome ?? 'error', name);
  else if (result.outcome === 'no-change' && name === 'apply') record.data = { ...record.data, noChange: true };
}

/**
 * Finish a run: cleanup guarantee (abort, temporaries, starting branch, clean tree), final SHAs,
 * outcome and exit code, report, lock release. Never throws; returns the final state.
 */
export async function finishRun(session: Session, writeReport: ReportWriter): Promise<RunState> {
  const { state, config } = session;
  // Cleanup must run even after an interrupt: use a runner that is not bound to the abort signal.
  const cleanupRun = boundRunner(session.log);
  if (state.lock.acquired) {
    // A git this run stopped (Ctrl-C, a timeout) may have left its lock file: the run's own, removed
    // first, or every git command of the cleanup below fails on it.
    const ownLocks = await removeOwnGitLocks(cleanupRun, config, state);
    state.sideEffects.push(...ownLocks);
    state.warnings.push(...ownLocks.map((l) => `cleanup: ${l}`));
    const restored = await restoreRepo(cleanupRun, config, state);
    state.temporaries = [];
    if (restored.actions.length) state.warnings.push(...restored.actions.map((a) => `cleanup: ${a}`));
    if (restored.problems.length) {
      state.errors.push(...restored.problems.map(cleanupRecord));
      if (!isStopped(state)) stopRun(state, 'error', null);
    }
    await settleCandidates(cleanupRun, session);
    if (state.preflightOk) {
      const after = await readShas(cleanupRun, config).catch(() => null);
      if (after) state.shas.after = { ...after, upstream: state.pin?.upstream ?? after.upstream };
    }
  }
  if (session.abort.signal.aborted && state.outcome !== 'lock-taken') {
    // A signal ends the run as `interrupted` whatever the killed command looked like (a failed
    // fetch, a "conflict"): exit 130 for SIGINT, 143 for SIGTERM, after the same cleanup.
    const signal = String(session.abort.signal.reason ?? 'SIGINT');
    if (state.outcome !== 'interrupted') stopRun(state, 'interrupted', state.stoppedBy);
    state.exitCode = exitCodeFor('interrupted', signal);
    if (!state.errors.some((e) => e.code === errors.interrupted(signal).code)) state.errors.push(toErrorRecord(errors.interrupted(signal)));
    const left = state.errors.filter((e) => e.code === CLEANUP_CODE);
    state.nextActions.push(
      left.length
        ? `The run was interrupted by ${signal}, and its cleanup could not undo everything: ${left.map((e) => e.message).join('; ')}. Do that first, then rerun rebase-daily.`
        : `The run was interrupted by ${signal} and cleaned up (see the cleanup lines); nothing is half-done. Rerun rebase-daily when ready.`,
    );
  }
  // Something left behind (a leftover that could not be removed) is never a plain success.
  if (state.outcome === null && state.errors.some((e) => e.code === CLEANUP_CODE)) stopRun(state, 'error', null);
  if (state.outcome === null) {
    state.outcome = unstoppedOutcome(state);
    state.exitCode = exitCodeFor(state.outcome);
  }
  state.finishedAt = new Date().toISOString();
  const report = state.stages.find((s) => s.name === 'report')!;
  report.status = 'ok';
  report.summary = 'report.json and summary.md written';
  report.finishedAt = state.finishedAt;
  try {
    const written = await writeReport(state);
    if (written) state.reportDir = written.dir;
  } catch (err) {
    report.status = 'failed';
    report.summary = `could not write the report: ${(err as Error).message}`;
    state.errors.push(toErrorRecord(err));
  }
  if (state.lock.remote?.acquired) {
    const problem = await releaseRemoteLock(cleanupRun, config.repoPath, state.lock.remote, config.push.timeoutSeconds * 1000);
    if (problem) state.warnings.push(problem);
  }
  saveState(state);
  if (state.lock.acquired) {
    releaseLock(state.lock.path, state.runId);
    const active = runPaths(config.scratchPath).activeRun;
    if (existsSync(active)) {
      try {
        const pointer = JSON.parse(readFileSync(active, 'utf8')) as { runId: string; ownerPid: number };
        if (pointer.runId === state.runId || !pidAlive(pointer.ownerPid, state.host)) rmSync(active, { force: true });
      } catch {
        rmSync(active, { force: true });
      }
    }
  }
  return state;
}

/**
 * What the run moved and did not publish: a run that stopped puts it back (the candidate is kept
 * under refs/rebase-daily/candidates/<runId>/ for inspection); a run that ended well without
 * publishing (push.enabled false, a single-stage command) leaves it, marked `kept`.
 */
async function settleCandidates(run: Runner, session: Session): Promise<void> {
  const { state, config } = session;
  if (state.candidates.some((c) => c.status === 'published')) rmSync(runPaths(config.scratchPath).lastCandidates, { force: true });
  if (unpublished(state.candidates).length === 0) return;
  if (!isStopped(state)) {
    for (const c of unpublished(state.candidates)) c.status = 'kept';
    atomicWriteJson(runPaths(config.scratchPath).lastCandidates, { runId: state.runId, candidates: state.candidates });
    return;
  }
  const undo = await undoCandidates(run, config.repoPath, state.runId, state.candidates, state.undoFiles);
  state.warnings.push(...undo.actions.map((a) => `cleanup: ${a}`));
  state.errors.push(...undo.problems.map(cleanupRecord));
  state.nextActions.push(...undo.nextActions);
  const publish = state.stages.find((s) => s.name === 'publish');
  if (publish && undo.undone.length) {
    // A publish that never ran still says what the run moved back: a whole PublishData, mode none.
    const base: PublishData =
      Object.keys(publish.data).length > 0
        ? (publish.data as PublishData)
        : { when: config.publish.when, atomic: config.publish.atomic, pushEnabled: config.push.enabled, remote: config.remotes.fork, mode: 'none', refs: [], wouldPush: [], atomicUnsupported: false, commands: [], undone: [], notPublished: [] };
    publish.data = { ...base, undone: undo.undone };
  }
}

/** A cleanup problem as the run records it: code and message (no details), as before. */
function cleanupRecord(message: string): { code: string; message: string } {
  const { code } = errors.cleanup(message);
  return { code, message };
}
const CLEANUP_CODE = errors.cleanup('').code;

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/**
 * Finish a run whose finishing task never ran — Nx stopped the graph (an executor crashed, an
 * option failed validation) or was killed. Cleanup, report and unlock happen as for any stopped run;
 * the lock is released only if it is still this run's. Returns null when there is no such run.
 */
export async function recoverUnfinishedRun(config: ResolvedConfig, runId: string, reason: string, writeReport: ReportWriter): Promise<RunState | null> {
  const state = loadState(config.scratchPath, runId);
  if (!state || state.finishedAt) return state;
  const log = new CommandLog();
  if (state.commandLog) log.file = state.commandLog;
  const session: Session = { config, state, log, run: boundRunner(log), progress: nullProgress, abort: new AbortController() };
  for (const s of state.stages) if (s.status === 'running') Object.assign(s, { status: 'failed', summary: `did not finish: ${reason}` });
  if (!isStopped(state)) stopRun(state, 'error', null, errors.runUnfinished(reason));
  return finishRun(session, writeReport);
}
