import { exitCodeFor, STAGES, unstoppedOutcome, type AlignData, type CommandLogEntry, type Outcome, type RunState } from '@rebase-daily/core';
import { isAbsolute, resolve } from 'node:path';
import { deriveNextActions } from './next-actions.js';
import { redactDeep } from './redact-deep.js';
import { reportLocations } from './report-paths.js';
import { REPORT_VERSION, type Report, type ReportStage } from './report-schema.js';
import { findDocs, type DocsLocation } from './docs-location.js';
import { failingTests, readRunData, validationLog, type RunData } from './stage-data.js';

export interface BuildReportOptions {
  /** The run's command log entries (in memory or read from the JSONL log): counted; the report references the log file. */
  commands?: readonly CommandLogEntry[];
  /** Used as finishedAt when the state has none yet (default: now). */
  now?: Date;
  /** This install's docs (default: found with `findDocs`); null names no runbook file. */
  docs?: DocsLocation | null;
}

/**
 * Turn a run's state into its report. Pure apart from `options.now` (defaulting to the clock when
 * the state is not finished) and locating the docs: no git, so it works on a state read back from
 * disk in another process. Every fact comes from the pipeline's state or a stage's typed data (core's
 * contracts); data that does not match its contract is reported as a warning, never guessed at.
 */
export function buildReport(state: RunState, options: BuildReportOptions = {}): Report {
  const { data, problems } = readRunData(state);
  const warnings = [...state.warnings, ...problems];
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
  // startedAt is a timestamp (reportLocations below refuses the state otherwise); finishedAt may not be.
  const durationMs = Number.isFinite(finished) ? Math.max(0, finished - started) : null;

  const stages = reportStages(state, outcome);
  const scratch = isAbsolute(state.scratchDir) ? state.scratchDir : resolve(state.repo, state.scratchDir);
  const { runDir, dateDir } = reportLocations(scratch, state.runId, state.startedAt);
  const entries = options.commands ?? [];
  const docs = options.docs === undefined ? findDocs() : options.docs;
  const observed = state.shas.observed ?? null;

  const pushed = pushedRefs(state, data);
  const derived = deriveNextActions({
    outcome,
    repo: state.repo,
    configPath: state.configPath,
    trunk: state.trunk,
    upstreamRef: state.upstreamRef,
    upstreamSha: state.pin?.upstream ?? data.verify?.upstream ?? observed?.upstream ?? null,
    forkRemote: state.remotes.fork,
    forkTrunkSha: state.pin?.forkTrunk ?? observed?.forkTrunk ?? state.shas.before.forkTrunk,
    startBranch: state.startBranch,
    conflict: state.conflict,
    lease: state.lease,
    lock: { path: state.lock.path, holder: state.lock.holder, ageHours: state.lock.ageHours },
    errors: state.errors,
    leftovers: state.leftovers,
    trunkAfter: state.shas.after.trunk,
    trunkPushed: pushed.find((p) => p.ref === `refs/heads/${state.trunk}`)?.newSha ?? null,
    commandLog: state.commandLog,
    failingTests: failingTests(data.validate),
    validationLog: validationLog(data.validate),
    docs,
    conflictsOwner: state.conflictsOwner ?? 'human',
  });
  // The stages' own lines (a busy worktree to detach, a drift to repair) follow the derived checklist.
  const nextActions = [...derived, ...state.nextActions.filter((a) => !derived.includes(a))];

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
    shas: { before: { ...state.shas.before }, observed: observed ? { ...observed } : null, after: { ...state.shas.after } },
    upstream: upstreamCounts(state, data),
    patches: { queue: queueWithNewShas(data), droppedUpstream: data.verify?.dropped ?? [], ...lockFacts(data) },
    pushed,
    graphite: graphiteOf(data.align),
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
    commands: { count: entries.length, log: state.commandLog, failed: entries.filter((e) => e.exitCode !== 0).length },
    sideEffects: [...state.sideEffects],
    docs,
    warnings,
    errors: state.errors,
    leftovers: [...state.leftovers],
    nextActions,
    paths: { scratch, runDir, dateDir },
  };
  return redactDeep(report);
}

/**
 * Three different counts a reader must not confuse: how far the fetch moved upstream (pipeline), how
 * many upstream commits the trunk lacked when verify ran (verify), and how many it now contains that
 * it did not before — only when apply actually moved the trunk onto upstream.
 */
function upstreamCounts(state: RunState, data: RunData): Report['upstream'] {
  const m = state.upstreamMoved;
  const moved = m ? { count: m.count, range: `${m.from}..${m.to}` } : null;
  const pending = data.verify?.upstreamDelta ?? null;
  const t = data.apply?.trunk;
  const landed = t && t.rebased && t.after !== t.before && state.shas.after.trunk === t.after;
  return { moved, pending, absorbed: landed && pending ? { ...pending } : null };
}

function queueWithNewShas(data: RunData): Report['patches']['queue'] {
  const replayed = new Map(data.apply?.replayed?.map((r) => [r.old, r.new]));
  return (data.verify?.queue ?? []).map((p) => ({ sha: p.sha, subject: p.subject, newSha: replayed.get(p.sha) ?? null }));
}

/**
 * Refs that moved on the fork remote: the publish stage's, and apply's own publish under
 * `publish.when: "after-apply"`. Each with the push command that moved it.
 */
function pushedRefs(state: RunState, data: RunData): Report['pushed'] {
  const out: Report['pushed'] = [];
  for (const pub of [data.apply?.publish, data.publish]) {
    if (!pub) continue;
    const command = pub.commands.join(' && ');
    for (const r of pub.refs) if (r.moved) out.push({ ref: `refs/heads/${r.branch}`, remote: state.remotes.fork, expected: r.expected, newSha: r.newSha, command });
  }
  return out;
}

function graphiteOf(align: AlignData | null): Report['graphite'] {
  if (!align) return null;
  const after = new Map(align.after?.map((b) => [b.branch, b]));
  const descendants = align.before.map((b) => ({
    branch: b.branch,
    parent: after.get(b.branch)?.parent ?? b.parent,
    before: b.tip,
    after: align.after ? (after.get(b.branch)?.tip ?? null) : null,
    restacked: align.restacked.includes(b.branch),
  }));
  return { descendants, restacked: [...align.restacked], publish: [...align.publish] };
}

/** Fallback when the pipeline recorded no outcome (e.g. a crash before it could). */
function deriveOutcome(state: RunState): Outcome {
  if (state.errors.length > 0 || state.stages.some((s) => s.status === 'failed' || s.status === 'running')) return 'error';
  return unstoppedOutcome(state);
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
        : outcome === 'interrupted'
          ? 'skipped: run interrupted by a signal'
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

/** The lock merges (apply's when it ran, else verify's) and cargo's verdict, when there are any. */
function lockFacts(data: RunData): Pick<Report['patches'], 'lockMerges' | 'lockConfirmation' | 'policyDecisions' | 'reintroduced'> {
  const merges = data.apply?.lockMerges ?? data.verify?.lockMerges;
  const decisions = data.apply?.policyDecisions ?? data.verify?.policyDecisions;
  return {
    ...(merges?.length ? { lockMerges: merges } : {}),
    ...(data.verify?.lockConfirmation ? { lockConfirmation: data.verify.lockConfirmation } : {}),
    ...(decisions?.length ? { policyDecisions: decisions } : {}),
    ...(data.verify?.reintroduced?.length ? { reintroduced: data.verify.reintroduced } : {}),
  };
}
