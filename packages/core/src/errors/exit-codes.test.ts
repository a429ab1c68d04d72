import { describe, expect, it } from 'vitest';
import { EXIT, EXIT_CODE_MEANINGS, exitCodeFor, OUTCOMES, type Outcome } from './exit-codes.js';

// The documented contract (README, runbook, prompt), written out as numbers rather than through
// EXIT, so a change to either the mapping or the constants fails here.
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
  interrupted: 130,
  resolved: 0,
  'not-ready': 17,
  'gate-held': 18,
};

describe('exitCodeFor', () => {
  it('the table covers exactly the outcomes there are', () => {
    expect(Object.keys(documented).sort()).toEqual([...OUTCOMES].sort());
  });

  it.each(OUTCOMES.map((o) => [o, documented[o]] as const))('%s → %i', (outcome, code) => {
    expect(exitCodeFor(outcome)).toBe(code);
    expect(exitCodeFor(outcome, null)).toBe(code);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    [null, 130],
    [undefined, 130],
    ['SIGHUP', 130],
  ] as const)('interrupted by %s → %i', (signal, code) => {
    expect(exitCodeFor('interrupted', signal)).toBe(code);
  });

  it.each(OUTCOMES.filter((o) => o !== 'interrupted'))('%s ignores a signal (SIGTERM does not turn it into 143)', (outcome) => {
    expect(exitCodeFor(outcome, 'SIGTERM')).toBe(documented[outcome]);
    expect(exitCodeFor(outcome, 'SIGINT')).toBe(documented[outcome]);
  });

  it('EXIT holds the documented numbers, each with a meaning', () => {
    expect(EXIT).toEqual({
      ok: 0,
      internal: 1,
      usage: 2,
      verifyConflict: 10,
      applyConflict: 11,
      pushBlocked: 12,
      graphiteFailed: 13,
      validationFailed: 14,
      lockTaken: 15,
      partial: 16,
      notReady: 17,
      gate: 18,
      sigint: 130,
      sigterm: 143,
    });
    expect(Object.keys(EXIT_CODE_MEANINGS).map(Number).sort((a, b) => a - b)).toEqual(Object.values(EXIT).sort((a, b) => a - b));
    for (const meaning of Object.values(EXIT_CODE_MEANINGS)) expect(meaning).toMatch(/^\S.{10,}$/);
  });
});
