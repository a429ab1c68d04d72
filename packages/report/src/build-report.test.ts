import type { CommandLogEntry } from '@rebase-daily/core';
import { describe, expect, it } from 'vitest';
import { buildReport } from './build-report.js';
import { QUEUE, SHA, makeRunState, scenarios } from './testing/run-state-factory.js';

describe('buildReport', () => {
  it.each([
    // scenario, outcome, exitCode, stage statuses in pipeline order, stoppedBy
    ['success', 'success', 0, ['ok', 'ok', 'not-configured', 'not-configured', 'ok', 'ok'], null],
    ['noChange', 'no-change', 0, ['ok', 'ok', 'not-configured', 'not-configured', 'ok', 'ok'], null],
    ['verifyConflict', 'verify-conflict', 10, ['failed', 'skipped', 'skipped', 'skipped', 'skipped', 'ok'], 'verify'],
    ['pushBlocked', 'push-blocked', 12, ['ok', 'failed', 'skipped', 'skipped', 'skipped', 'ok'], 'apply'],
    ['lockTaken', 'lock-taken', 15, ['skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'ok'], null],
    ['validationFailed', 'validation-failed', 14, ['ok', 'ok', 'not-configured', 'failed', 'skipped', 'ok'], 'validate'],
  ] as const)('%s: outcome %s, exit %i, stages %j', (name, outcome, exitCode, statuses, stoppedBy) => {
    const report = buildReport(scenarios[name]());
    expect(report.outcome).toBe(outcome);
    expect(report.exitCode).toBe(exitCode);
    expect(report.stoppedBy).toBe(stoppedBy);
    expect(report.stages.map((s) => s.name)).toEqual(['verify', 'apply', 'align', 'validate', 'publish', 'report']);
    expect(report.stages.map((s) => s.status)).toEqual(statuses);
  });

  it('carries the fixed fields through: shas before/after, lock, refs, delta, queue, dropped', () => {
    const report = buildReport(scenarios.success());
    expect(report.reportVersion).toBe(1);
    expect(report.shas.before).toEqual({ upstream: SHA.upstreamOld, mirror: SHA.upstreamOld, trunk: SHA.trunkOld, forkTrunk: SHA.trunkOld });
    expect(report.shas.after).toEqual({ upstream: SHA.upstreamNew, mirror: SHA.upstreamNew, trunk: SHA.trunkNew, forkTrunk: SHA.trunkNew });
    expect(report.lock.override).toBe(false);
    expect(report.refs).toEqual({ trunk: 'dev', mirror: 'main', upstream: 'upstream/main', remotes: { fork: 'origin', upstream: 'upstream' } });
    expect(report.upstreamDelta).toEqual({ count: 12, range: 'a1a1a1a1a1a1..b2b2b2b2b2b2' });
    expect(report.patches.queue).toEqual(QUEUE);
    expect(report.patches.droppedUpstream).toEqual([{ sha: SHA.dropped, subject: 'fork: backport upstream fix' }]);
    expect(report.durationMs).toBe(42_500);
    expect(report.conflict).toBeNull();
    expect(report.lease).toBeNull();
    expect(report.paths).toEqual({
      scratch: '/work/fork/.scratch',
      runDir: '/work/fork/.scratch/rebase-daily/runs/20261127T120000Z-4242-ab12',
      dateDir: '/work/fork/.scratch/rebase-daily/2026-11-27',
    });
    expect(report.nextActions).toEqual([]);
  });

  it('keeps the conflict and the lease as recorded', () => {
    const conflict = buildReport(scenarios.verifyConflict()).conflict;
    expect(conflict).toMatchObject({ stage: 'verify', patch: QUEUE[1], position: 2, queueLength: 3, files: ['src/main.rs', 'Cargo.toml'] });
    expect(conflict?.reproduce).toHaveLength(2);
    expect(buildReport(scenarios.pushBlocked()).lease).toEqual({
      ref: 'refs/heads/dev',
      remote: 'origin',
      expected: SHA.trunkOld,
      actual: SHA.foreign,
      reason: 'the fork remote has commits the local trunk lacks',
    });
  });

  it('records a stale-lock override with the broken holder', () => {
    const state = makeRunState({
      lock: { path: '/l', acquired: true, override: true, holder: { runId: 'old', pid: 1, hostname: 'h', startedAt: '2026-11-26T01:00:00.000Z' }, ageHours: 11 },
    });
    expect(buildReport(state).lock).toEqual({ override: true, acquired: true, path: '/l', holder: { runId: 'old', pid: 1, hostname: 'h', startedAt: '2026-11-26T01:00:00.000Z' }, ageHours: 11 });
  });

  it.each([
    ['pending', 'skipped', 'skipped: run stopped by verify'],
    ['running', 'skipped', 'did not finish: restacking feat/a'],
  ] as const)('maps a transient %s stage to %s', (status, expected, summary) => {
    const base = scenarios.verifyConflict();
    const state = makeRunState({
      ...base,
      stages: base.stages.map((s) => (s.name === 'align' ? { ...s, status, summary: status === 'running' ? 'restacking feat/a' : '' } : s)),
    });
    const align = buildReport(state).stages.find((s) => s.name === 'align');
    expect(align).toMatchObject({ status: expected, summary });
  });

  it('reports the report stage as ok even when the state still has it pending (the report is being written)', () => {
    const state = scenarios.success();
    expect(state.stages.at(-1)?.status).toBe('pending');
    expect(buildReport(state).stages.at(-1)).toMatchObject({ name: 'report', status: 'ok', summary: 'report.json and summary.md written' });
  });

  it.each([
    ['no stage failed and the trunk did not move', {}, 'no-change'],
    ['the trunk moved', { shas: { before: scenarios.success().shas.before, after: scenarios.success().shas.after } }, 'success'],
    ['an error was recorded', { errors: [{ code: 'E_INTERNAL', message: 'boom' }] }, 'error'],
  ])('derives the outcome when the state has none: %s', (_why, patch, outcome) => {
    const report = buildReport(makeRunState({ ...patch, outcome: null, exitCode: null }));
    expect(report.outcome).toBe(outcome);
    expect(report.exitCode).toBe(outcome === 'error' ? 1 : 0);
    expect(report.warnings.at(-1)).toContain('derived from its stages');
  });

  it('uses `now` as finishedAt for an unfinished state', () => {
    const report = buildReport(makeRunState({ finishedAt: null }), { now: new Date('2026-11-27T12:01:00.000Z') });
    expect(report.finishedAt).toBe('2026-11-27T12:01:00.000Z');
    expect(report.durationMs).toBe(60_000);
  });

  it('keeps next actions the stages recorded instead of deriving them', () => {
    const state = makeRunState({ ...scenarios.verifyConflict(), nextActions: ['ask the fork owner about patch 2'] });
    expect(buildReport(state).nextActions).toEqual(['ask the fork owner about patch 2']);
  });

  it('counts every command, embeds only the last N, and redacts credentials everywhere', () => {
    const commands: CommandLogEntry[] = Array.from({ length: 60 }, (_, i) => ({
      at: `2026-11-27T12:00:${String(i % 60).padStart(2, '0')}.000Z`,
      argv: ['git', 'fetch', 'https://bot:s3cret@example.com/fork.git', `#${i}`],
      cwd: '/work/fork',
      exitCode: 0,
      durationMs: 5,
      timedOut: false,
    }));
    const state = makeRunState({
      errors: [{ code: 'E_FETCH_FAILED', message: 'git fetch https://bot:s3cret@example.com/fork.git failed', details: { url: 'https://s3cret@example.com/x' } }],
      warnings: ['remote https://bot:s3cret@example.com/fork.git is slow'],
      stageOverrides: { apply: { status: 'ok', summary: 'pushed to https://bot:s3cret@example.com/fork.git', data: { remoteUrl: 'https://bot:s3cret@example.com/fork.git' } } },
    });
    const report = buildReport(state, { commands, lastCommands: 5 });
    expect(report.commands.count).toBe(60);
    expect(report.commands.log).toBe(state.commandLog);
    expect(report.commands.last.map((c) => c.argv[3])).toEqual(['#55', '#56', '#57', '#58', '#59']);
    expect(JSON.stringify(report)).not.toContain('s3cret');
    expect(report.commands.last[0].argv[2]).toBe('https://***@example.com/fork.git');
    expect(report.errors[0].message).toBe('git fetch https://***@example.com/fork.git failed');
  });

  it('ignores stage data it does not understand instead of failing the report', () => {
    const state = makeRunState({ stageOverrides: { verify: { status: 'ok', summary: '', data: { queue: 'three patches', upstreamDelta: { count: -1 } } } } });
    const report = buildReport(state);
    expect(report.patches.queue).toEqual([]);
    expect(report.upstreamDelta).toBeNull();
  });
});
