import type { CommandLogEntry } from '@rebase-daily/core';
import { describe, expect, it } from 'vitest';
import { buildReport } from './build-report.js';
import { REPORT_VERSION, ReportSchema } from './report-schema.js';
import { recordedRun, withState, type RecordedRun } from './testing/recorded-runs.js';

const reportOf = (name: RecordedRun) => buildReport(recordedRun(name), { docs: null });

describe('buildReport of recorded runs', () => {
  it.each([
    // scenario, outcome, exitCode, stage statuses in pipeline order, stoppedBy
    ['success', 'success', 0, ['ok', 'ok', 'not-configured', 'not-configured', 'ok', 'ok'], null],
    ['no-change', 'no-change', 0, ['ok', 'ok', 'not-configured', 'not-configured', 'ok', 'ok'], null],
    ['verify-conflict', 'verify-conflict', 10, ['failed', 'skipped', 'skipped', 'skipped', 'skipped', 'ok'], 'verify'],
    ['dropped-upstream', 'success', 0, ['ok', 'ok', 'not-configured', 'not-configured', 'ok', 'ok'], null],
    ['push-blocked', 'push-blocked', 12, ['ok', 'ok', 'not-configured', 'not-configured', 'failed', 'ok'], 'publish'],
    ['validation-failed', 'validation-failed', 14, ['ok', 'ok', 'not-configured', 'failed', 'skipped', 'ok'], 'validate'],
    ['graphite-restack', 'success', 0, ['ok', 'ok', 'ok', 'not-configured', 'ok', 'ok'], null],
    ['lock-taken', 'lock-taken', 15, ['skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'ok'], null],
    ['partial', 'partial', 16, ['ok', 'ok', 'not-configured', 'not-configured', 'ok', 'ok'], null],
    ['apply-conflict', 'apply-conflict', 11, ['skipped', 'failed', 'skipped', 'skipped', 'skipped', 'ok'], 'apply'],
    ['graphite-failed', 'graphite-failed', 13, ['ok', 'ok', 'failed', 'skipped', 'skipped', 'ok'], 'align'],
    ['interrupted', 'interrupted', 143, ['ok', 'ok', 'not-configured', 'not-configured', 'failed', 'ok'], 'publish'],
    ['error', 'error', 1, ['skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'ok'], null],
  ] as const)('%s: outcome %s, exit %i, stages %j', (name, outcome, exitCode, statuses, stoppedBy) => {
    const report = reportOf(name);
    expect(ReportSchema.parse(report)).toEqual(report);
    expect(report.reportVersion).toBe(REPORT_VERSION);
    expect(report.outcome).toBe(outcome);
    expect(report.exitCode).toBe(exitCode);
    expect(report.stoppedBy).toBe(stoppedBy);
    expect(report.stages.map((s) => s.name)).toEqual(['verify', 'apply', 'align', 'validate', 'publish', 'report']);
    expect(report.stages.map((s) => s.status)).toEqual(statuses);
  });

  it('every fact comes from the pipeline or a typed stage: shas, upstream counts, queue, pushes', () => {
    const state = recordedRun('success');
    const report = buildReport(state, { docs: null });
    const verify = state.stages.find((s) => s.name === 'verify')!.data as { queue: { sha: string }[]; upstreamDelta: unknown };
    const apply = state.stages.find((s) => s.name === 'apply')!.data as { replayed: { old: string; new: string }[]; pushes: { ref: string; newSha: string }[] };
    expect(report.shas.before).toEqual(state.shas.before);
    expect(report.shas.observed).toEqual(state.shas.observed);
    expect(report.shas.after).toEqual(state.shas.after);
    expect(report.upstream.moved).toEqual({ count: state.upstreamMoved!.count, range: `${state.upstreamMoved!.from}..${state.upstreamMoved!.to}` });
    expect(report.upstream.pending).toEqual(verify.upstreamDelta);
    expect(report.upstream.absorbed).toEqual(verify.upstreamDelta);
    expect(report.patches.queue.map((p) => [p.sha, p.newSha])).toEqual(apply.replayed.map((r) => [r.old, r.new]));
    const publish = state.stages.find((s) => s.name === 'publish')!.data as { refs: { branch: string; newSha: string; moved: boolean }[] };
    expect(report.pushed.map((p) => [p.ref, p.newSha])).toEqual(publish.refs.filter((r) => r.moved).map((r) => [`refs/heads/${r.branch}`, r.newSha]));
    expect(report.pushed.length).toBeGreaterThan(0);
    expect(apply.pushes).toEqual([]);
    expect(report.sideEffects).toEqual(state.sideEffects);
  });

  it('nothing is absorbed on a failed day', () => {
    for (const name of ['verify-conflict', 'push-blocked', 'lock-taken'] as const) expect(reportOf(name).upstream.absorbed, name).toBeNull();
  });

  it('graphite: every descendant with its tip before and after, from align data', () => {
    const state = recordedRun('graphite-restack');
    const align = state.stages.find((s) => s.name === 'align')!.data as { before: { branch: string; tip: string }[]; after: { branch: string; tip: string }[] };
    const g = buildReport(state, { docs: null }).graphite!;
    expect(g.descendants.map((d) => [d.branch, d.before, d.after])).toEqual(align.before.map((b) => [b.branch, b.tip, align.after.find((a) => a.branch === b.branch)!.tip]));
    expect(reportOf('success').graphite).toBeNull();
  });

  it.each([
    ['pending', 'skipped', 'skipped: run stopped by verify'],
    ['running', 'skipped', 'did not finish: restacking feat/a'],
  ] as const)('maps a transient %s stage to %s', (status, expected, summary) => {
    const base = recordedRun('verify-conflict');
    const state = withState('verify-conflict', { stages: base.stages.map((s) => (s.name === 'align' ? { ...s, status, summary: status === 'running' ? 'restacking feat/a' : '' } : s)) });
    expect(buildReport(state, { docs: null }).stages.find((s) => s.name === 'align')).toMatchObject({ status: expected, summary });
  });

  it.each<[string, RecordedRun, { errors?: { code: string; message: string }[] }, string]>([
    ['no stage failed and the trunk did not move', 'no-change', {}, 'no-change'],
    ['the trunk moved', 'success', {}, 'success'],
    ['an error was recorded', 'no-change', { errors: [{ code: 'E_INTERNAL', message: 'boom' }] }, 'error'],
  ])('derives the outcome when the state has none: %s', (_why, name, patch, outcome) => {
    const report = buildReport(withState(name, { ...patch, outcome: null, exitCode: null }), { docs: null });
    expect(report.outcome).toBe(outcome);
    expect(report.warnings.at(-1)).toContain('derived from its stages');
  });

  it('uses `now` as finishedAt for an unfinished state', () => {
    const state = withState('no-change', { finishedAt: null });
    const now = new Date(Date.parse(state.startedAt) + 60_000);
    const report = buildReport(state, { now, docs: null });
    expect(report.finishedAt).toBe(now.toISOString());
    expect(report.durationMs).toBe(60_000);
  });

  it('counts commands, references the log instead of inlining it, and redacts credentials everywhere', () => {
    const commands: CommandLogEntry[] = Array.from({ length: 60 }, (_, i) => ({
      at: '2026-11-27T12:00:00.000Z',
      argv: ['git', 'fetch', 'https://bot:s3cret@example.com/fork.git', `#${i}`],
      cwd: '/work/fork',
      exitCode: i % 10 === 0 ? 1 : 0,
      durationMs: 5,
      timedOut: false,
    }));
    const state = withState('no-change', {
      errors: [{ code: 'E_FETCH_FAILED', message: 'git fetch https://bot:s3cret@example.com/fork.git failed' }],
      warnings: ['remote https://bot:s3cret@example.com/fork.git is slow'],
    });
    const report = buildReport(state, { commands, docs: null });
    expect(report.commands).toEqual({ count: 60, log: state.commandLog, failed: 6 });
    expect(JSON.stringify(report)).not.toContain('s3cret');
    expect(report.errors[0].message).toBe('git fetch https://***@example.com/fork.git failed');
  });

  it('stage data that breaks its contract becomes a warning, not a guess', () => {
    const state = recordedRun('success');
    const verify = state.stages.find((s) => s.name === 'verify')!;
    verify.data = { ...verify.data, queue: 'three patches' };
    const report = buildReport(state, { docs: null });
    expect(report.patches.queue).toEqual([]);
    expect(report.warnings.join('\n')).toMatch(/verify stage data does not match its contract: queue/);
  });
});
