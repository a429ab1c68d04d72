import { describe, expect, it } from 'vitest';
import { OUTCOMES, type Outcome } from '@rebase-daily/core';
import { buildReport } from './build-report.js';
import { makeRunState, SHA } from './testing/run-state-factory.js';

// A run state read back after a crash can lack its exit code; the report then derives it from the
// outcome. The documented numbers, written out (not through core's EXIT), for every outcome.
const documented: Record<Outcome, number> = {
  success: 0,
  'no-change': 0,
  partial: 16,
  'verify-conflict': 10,
  'apply-conflict': 11,
  'push-blocked': 12,
  'graphite-failed': 13,
  'validation-failed': 14,
  'lock-taken': 15,
  error: 1,
  'usage-error': 2,
  // The state records no signal, so an interrupted run without an exit code reads as SIGINT's 130.
  interrupted: 130,
};

describe('buildReport: exit code when the run state has none', () => {
  it('the table covers exactly the outcomes there are', () => {
    expect(Object.keys(documented).sort()).toEqual([...OUTCOMES].sort());
  });

  it.each(OUTCOMES.map((o) => [o, documented[o]] as const))('outcome %s, no exit code → %i', (outcome, code) => {
    const report = buildReport(makeRunState({ outcome, exitCode: null }));
    expect(report.outcome).toBe(outcome);
    expect(report.exitCode).toBe(code);
  });

  it.each([
    ['interrupted', 143],
    ['push-blocked', 12],
    ['error', 1],
  ] as const)('a recorded exit code wins over the mapping: %s with %i', (outcome, code) => {
    expect(buildReport(makeRunState({ outcome, exitCode: code })).exitCode).toBe(code);
  });

  it.each([
    ['a failed stage', { stageOverrides: { apply: { status: 'failed', summary: 'boom' } } }, 'error', 1],
    ['a stage left running', { stageOverrides: { verify: { status: 'running', summary: '' } } }, 'error', 1],
    ['an error recorded', { errors: [{ code: 'E_INTERNAL', message: 'x' }] }, 'error', 1],
    ['the trunk moved', { shas: { before: { upstream: SHA.upstreamOld, mirror: SHA.upstreamOld, trunk: SHA.trunkOld, forkTrunk: SHA.trunkOld }, after: { upstream: SHA.upstreamNew, mirror: SHA.upstreamOld, trunk: SHA.trunkNew, forkTrunk: SHA.trunkNew } } }, 'success', 0],
    ['only the mirror moved', { shas: { before: { upstream: SHA.upstreamOld, mirror: SHA.upstreamOld, trunk: SHA.trunkOld, forkTrunk: SHA.trunkOld }, after: { upstream: SHA.upstreamNew, mirror: SHA.upstreamNew, trunk: SHA.trunkOld, forkTrunk: SHA.trunkOld } } }, 'success', 0],
    ['nothing moved', {}, 'no-change', 0],
  ] as [string, Parameters<typeof makeRunState>[0], Outcome, number][])('no outcome and no exit code, %s → %s, exit %i, with a warning', (_label, overrides, outcome, code) => {
    const report = buildReport(makeRunState({ ...overrides, outcome: null, exitCode: null }));
    expect(report.outcome).toBe(outcome);
    expect(report.exitCode).toBe(code);
    expect(report.warnings).toContain(`the run recorded no outcome; "${outcome}" was derived from its stages`);
  });
});
