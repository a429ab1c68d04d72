import { exitCodeFor, STAGES, type CommandLogEntry, type Outcome, type RunState, type StageRecord } from '@rebase-daily/core';
import { isAbsolute, resolve } from 'node:path';
import { deriveNextActions } from './next-actions.js';
import { redactDeep } from './redact-deep.js';
import { reportLocations } from './report-paths.js';
import { REPORT_VERSION, type Report, type ReportStage } from './report-schema.js';
import { readFailures, readLogPath, readPatches, readUpstreamDelta } from './stage-data.js';

export interface BuildReportOptions {
  /** The run's command log entries (in memory or read from the JSONL log); only the last few are kept. */
  commands?: readonly CommandLogEntry[];
  /** How many of the last commands to embed in the report (default 50). */
  lastCommands?: number;
  /** Used as finishedAt when the state has none yet (default: now). */
  now?: Date;
}

export const DEFAULT_LAST_COMMANDS = 50;

/**
 * Turn a run's state into its report. Pure apart from `options.now` (defaulting to the clock when
 * the state is not finished): no I/O, so it works on a state read back from disk in another process.
 * Transient stage statuses become `skipped`, a missing outcome is derived from the stages, missing
 * next actions are derived from the outcome, and every string is redacted.
 */
export function buildReport(state: RunState, options: BuildReportOptions = {}): Report {
  const warnings = [...state.warnings];
  let outcome: Outcome;
  if (state.outcome) {
    outcome = state.outcome;
  } else {
    outcome = deriveOutcome(state);
    warnings.push(`the run recorded no outcome; "${outcome}" was derived from its stages`);
  }
  const exitCode = state.exitCode ?? exitCodeFor(outcome);
  const finishedAt = state.finishedAt ?? (options.now ?? new Date()).toISOString();
  const started = Date.parse(state.startedAt);
  const finished = Date.parse(finishedAt);
  const durationMs = Number.isFinite(started) && Number.isFinite(finished) ? Math.max(0, finished - started) : null;

  const stages = reportStages(state, outcome);
  const verifyData = stageData(state, 'verify');
  const validateData = stageData(state, 'validate');
  const scratch = isAbsolute(state.scratchDir) ? state.scratchDir : resolve(state.repo, state.scratchDir);
  const { runDir, dateDir } = reportLocations(scratch, state.runId, state.startedAt);
  const entries = options.commands ?? [];
  const keep = options.lastCommands ?? DEFAULT_LAST_COMMANDS;

  const nextActions =
    state.nextActions.length > 0
      ? [...state.nextActions]
      : deriveNextActions({
          outcome,
          trunk: state.trunk,
          upstreamRef: state.upstreamRef,
          forkRemote: state.remotes.fork,
          startBranch: state.startBranch,
          conflict: state.conflict,
          lease: state.lease,
          lock: { path: state.lock.path, holder: state.lock.holder, ageHours: state.lock.ageHours },
          errors: state.errors,
          leftovers: state.leftovers,
          trunkAfter: state.shas.after.trunk,
          commandLog: state.commandLog,
          failingTests: readFailures(validateData),
          validationLog: readLogPath(validateData),
        });

  const report: Report = {
    reportVersion: REPORT_VERSION,
    runId: state.runId,
    command: state.command,
    outcome,
    exitCode,
    stoppedBy: state.stoppedBy,
    startedAt: state.startedAt,
    finishedAt,
    durationMs,
    host: state.host,
    pid: state.pid,
    repo: state.repo,
    configPath: state.configPath,
    refs: { trunk: state.trunk, mirror: state.mirror, upstream: state.upstreamRef, remotes: { ...state.remotes } },
    shas: { before: { ...state.shas.before }, after: { ...state.shas.after } },
    upstreamDelta: readUpstreamDelta(verifyData.upstreamDelta),
    patches: { queue: readPatches(verifyData.queue), droppedUpstream: readPatches(verifyData.droppedUpstream) },
    stages,
    lock: {
      override: state.lock.override,
      acquired: state.lock.acquired,
      path: state.lock.path,
      holder: state.lock.holder,
      ageHours: state.lock.ageHours,
      ...(state.lock.takenOver ? { takenOver: state.lock.takenOver } : {}),
    },
    conflict: state.conflict,
    lease: state.lease,
    commands: {
      count: entries.length,
      log: state.commandLog,
      last: keep > 0 ? entries.slice(-keep).map((e) => ({ ...e, argv: [...e.argv] })) : [],
    },
    warnings,
    errors: state.errors,
    leftovers: [...state.leftovers],
    nextActions,
    paths: { scratch, runDir, dateDir },
  };
  return redactDeep(report);
}

function stageData(state: RunState, name: StageRecord['name']): Record<string, unknown> {
  return state.stages.find((s) => s.name === name)?.data ?? {};
}

/** Fallback when the pipeline recorded no outcome (e.g. a crash before it could). */
function deriveOutcome(state: RunState): Outcome {
  if (state.errors.length > 0 || state.stages.some((s) => s.status === 'failed' || s.status === 'running')) return 'error';
  const { before, after } = state.shas;
  // Same rule as core's finishRun: nothing moved is a no-change day.
  const moved = (after.trunk !== null && after.trunk !== before.trunk) || (after.mirror !== null && after.mirror !== before.mirror);
  return moved ? 'success' : 'no-change';
}

function reportStages(state: RunState, outcome: Outcome): ReportStage[] {
  const records = [...state.stages];
  for (const name of STAGES) {
    if (!records.some((s) => s.name === name)) {
      records.push({ name, status: 'pending', summary: '', startedAt: null, finishedAt: null, durationMs: null, data: {} });
    }
  }
  const skippedWhy = state.stoppedBy
    ? `skipped: run stopped by ${state.stoppedBy}`
    : outcome === 'lock-taken'
      ? 'skipped: lock taken by another run'
      : outcome === 'error' || outcome === 'usage-error'
        ? 'skipped: run stopped by an error'
        : 'not run by this command';
  return records.map((s): ReportStage => {
    const base = { name: s.name, startedAt: s.startedAt, finishedAt: s.finishedAt, durationMs: s.durationMs, data: { ...s.data } };
    if (s.status !== 'pending' && s.status !== 'running') return { ...base, status: s.status, summary: s.summary };
    // The report stage is the one writing this report: by the time anyone reads it, it has run.
    if (s.name === 'report') return { ...base, status: 'ok', summary: s.summary || 'report.json and summary.md written' };
    if (s.status === 'running') return { ...base, status: 'skipped', summary: `did not finish${s.summary ? `: ${s.summary}` : ''}` };
    return { ...base, status: 'skipped', summary: s.summary || skippedWhy };
  });
}
