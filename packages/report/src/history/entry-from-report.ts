import { join, relative } from 'node:path';
import type { ResolveReport, ResolveState, Runner } from '@rebase-daily/core';
import type { Report } from '../report-schema.js';
import { daysBehind } from './days-behind.js';
import { HISTORY_VERSION, type HistoryEntry } from './history-entry.js';

/**
 * The ledger line of a finished run, from its report. Upstream before is the remote-tracking ref
 * as the run found it (before its fetch); days behind compare the trunk with the upstream the run
 * worked from (after the fetch), at the run's start and at its end.
 */
export async function entryFromReport(report: Report, run: Runner, summaryPath: string | null = null): Promise<HistoryEntry> {
  const upstreamSeen = report.shas.observed?.upstream ?? report.shas.after.upstream ?? report.shas.before.upstream;
  const [before, after] = await Promise.all([
    daysBehind(run, report.repo, report.shas.before.trunk, upstreamSeen, report.startedAt),
    daysBehind(run, report.repo, report.shas.after.trunk, upstreamSeen, report.finishedAt),
  ]);
  const stages: HistoryEntry['stages'] = {};
  for (const s of report.stages) if (s.durationMs !== null && s.status !== 'skipped' && s.status !== 'not-configured') stages[s.name] = s.durationMs;
  return {
    v: HISTORY_VERSION,
    kind: 'run',
    event: 'finish',
    runId: report.runId,
    command: report.command,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    outcome: report.outcome,
    exitCode: report.exitCode,
    shas: {
      before: { upstream: report.shas.before.upstream, trunk: report.shas.before.trunk },
      after: { upstream: report.shas.after.upstream, trunk: report.shas.after.trunk },
    },
    upstreamAbsorbed: report.upstream.absorbed?.count ?? 0,
    daysBehind: { before, after },
    queueSize: report.outcome === 'lock-taken' ? null : report.patches.queue.length,
    dropped: report.patches.droppedUpstream.length,
    conflict: report.conflict ? { stage: report.conflict.stage, files: report.conflict.files, patch: report.conflict.patch } : null,
    stages,
    summary: summaryPath ? relative(join(report.paths.scratch, 'rebase-daily'), summaryPath) : null,
  };
}

/**
 * The ledger line of one resolve event, from the session's state (start, abort) or its report
 * (finish). `start` has no finish and no outcome of its own; `abort` moved nothing.
 */
export async function entryFromResolve(
  input: { event: 'start' | 'finish' | 'abort'; at: string; state?: ResolveState | null; report?: ResolveReport | null },
  run: Runner,
): Promise<HistoryEntry> {
  const { event, state, report } = input;
  const id = report?.id ?? state?.id ?? 'unknown';
  const startedAt = report?.startedAt ?? state?.startedAt ?? input.at;
  const pin = report?.pin ?? state?.pin ?? null;
  const repo = state?.repo ?? '.';
  const trunkAfter = event === 'finish' ? (report?.newTrunk ?? pin?.trunk ?? null) : (pin?.trunk ?? null);
  const upstream = pin?.upstream ?? null;
  const [before, after] = await Promise.all([daysBehind(run, repo, pin?.trunk ?? null, upstream, startedAt), daysBehind(run, repo, trunkAfter, upstream, input.at)]);
  const stops = report?.stops ?? state?.stops ?? [];
  const files = [...new Set(stops.flatMap((s) => s.files))];
  return {
    v: HISTORY_VERSION,
    kind: 'resolve',
    event,
    runId: id,
    command: `resolve ${event}`,
    startedAt,
    finishedAt: event === 'start' ? null : input.at,
    outcome: event === 'start' ? 'started' : event === 'abort' ? 'aborted' : (report?.outcome ?? 'error'),
    exitCode: event === 'finish' ? (report?.exitCode ?? null) : 0,
    shas: { before: { upstream, trunk: pin?.trunk ?? null }, after: { upstream, trunk: trunkAfter } },
    upstreamAbsorbed: 0,
    daysBehind: { before, after },
    queueSize: report?.queueLength ?? state?.queue.length ?? null,
    dropped: 0,
    conflict: files.length ? { stage: 'resolve', files, patch: stops[0] ? { sha: stops[0].patch.sha, subject: stops[0].patch.subject } : null } : null,
    stages: {},
    summary: null,
  };
}
