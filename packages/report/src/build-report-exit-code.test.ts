import { describe, expect, it } from 'vitest';
import { OUTCOMES, type Outcome } from '@rebase-daily/core';
import { buildReport } from './build-report.js';
import type { RunState } from '@rebase-daily/core';
import { recordedRun, withState, type RecordedRun } from './testing/recorded-runs.js';

// States recorded from real runs (testing/recorded-runs.ts), with the outcome or exit code removed.
const stripped = (name: RecordedRun, patch: Partial<RunState> = {}) => withState(name, { outcome: null, exitCode: null, ...patch });
const withStage = (name: RecordedRun, stage: string, status: RunState['stages'][number]['status']): RunState['stages'] =>
  recordedRun(name).stages.map((s) => (s.name === stage ? { ...s, status, summary: status === 'failed' ? 'boom' : '' } : s));

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
  resolved: 0,
  'not-ready': 17,
  'gate-held': 18,
};

describe('buildReport: exit code when the run state has none', () => {
  it('the table covers exactly the outcomes there are', () => {
    expect(Object.keys(documented).sort()).toEqual([...OUTCOMES].sort());
  });

  it.each(OUTCOMES.map((o) => [o, documented[o]] as const))('outcome %s, no exit code → %i', (outcome, code) => {
    const report = buildReport(withState('success', { outcome, exitCode: null }), { docs: null });
    expect(report.outcome).toBe(outcome);
    expect(report.exitCode).toBe(code);
  });

  it.each([
    ['interrupted', 143],
    ['push-blocked', 12],
    ['error', 1],
  ] as const)('a recorded exit code wins over the mapping: %s with %i', (outcome, code) => {
    expect(buildReport(withState('success', { outcome, exitCode: code }), { docs: null }).exitCode).toBe(code);
  });

  it.each([
    ['a failed stage', () => stripped('success', { stages: withStage('success', 'apply', 'failed') }), 'error', 1],
    ['a stage left running', () => stripped('success', { stages: withStage('success', 'verify', 'running') }), 'error', 1],
    ['an error recorded', () => stripped('success', { errors: [{ code: 'E_INTERNAL', message: 'x' }] }), 'error', 1],
    ['the trunk moved', () => stripped('success'), 'success', 0],
    ['only the mirror moved', () => { const r = recordedRun('no-change'); return stripped('no-change', { shas: { ...r.shas, after: { ...r.shas.after, mirror: 'a'.repeat(40) } } }); }, 'success', 0],
    ['nothing moved', () => stripped('no-change'), 'no-change', 0],
  ] as [string, () => RunState, Outcome, number][])('no outcome and no exit code, %s → %s, exit %i, with a warning', (_label, state, outcome, code) => {
    const report = buildReport(state(), { docs: null });
    expect(report.outcome).toBe(outcome);
    expect(report.exitCode).toBe(code);
    expect(report.warnings).toContain(`the run recorded no outcome; "${outcome}" was derived from its stages`);
  });
});
