import { describe, expect, it } from 'vitest';
import type { Report } from '@rebase-daily/report';
import { DECISION_MAX_BYTES, DecisionSchema, decisionOf } from './decision.js';

// The bound holds whatever the day: a report with a long conflict (many files, long next actions,
// many failed stages' summaries) still gives a decision under 4 KB that keeps the first actions.
const sha = (c: string) => c.repeat(40);
const big = {
  outcome: 'verify-conflict',
  exitCode: 10,
  stoppedBy: 'verify',
  shas: { before: { upstream: sha('a'), mirror: sha('b'), trunk: sha('c'), forkTrunk: sha('c') }, observed: null, after: { upstream: sha('d'), mirror: sha('b'), trunk: sha('c'), forkTrunk: sha('c') } },
  pushed: [],
  conflict: { stage: 'verify', patch: { sha: sha('e'), subject: 'fork: '.padEnd(300, 'x') }, position: 2, queueLength: 28, files: Array.from({ length: 40 }, (_, i) => `crates/c${i}/src/lib.rs`), reproduce: [] },
  stages: [{ name: 'verify', status: 'failed', summary: 'conflict '.repeat(100) }],
  errors: [{ code: 'E_X', message: 'm'.repeat(1000) }],
  nextActions: Array.from({ length: 60 }, (_, i) => `step ${i}: ${'do this '.repeat(30)}`),
  warnings: ['w1', 'w2'],
} as unknown as Report;

describe('decisionOf', () => {
  it('stays under 4 KB on a large conflict day, keeping the first next actions and saying how many it left out', () => {
    const d = DecisionSchema.parse(decisionOf(big));
    expect(Buffer.byteLength(JSON.stringify(d))).toBeLessThan(DECISION_MAX_BYTES);
    expect(d.nextActions[0]).toMatch(/^step 0: /);
    expect(d.nextActions.length + d.moreNextActions).toBe(60);
    expect(d.conflict).toMatchObject({ position: 2, queueLength: 28, moreFiles: 30 });
    expect(d.conflict!.files).toHaveLength(10);
    expect(d.moved.trunk).toEqual({ before: sha('c'), after: sha('c') });
    expect(d.warnings).toBe(2);
  });
});
