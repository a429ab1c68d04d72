import { readStageData, type ApplyData } from '@rebase-daily/core';
import { describe, expect, it } from 'vitest';
import { describeBump, describeTestCounts, failingTests, readRunData, validationLog } from './stage-data.js';
import { recordedRun } from './testing/recorded-runs.js';

const bump = (b: Partial<NonNullable<ApplyData['bump']>>): NonNullable<ApplyData['bump']> => ({
  status: 'committed',
  upstreamVersion: '0.4.0',
  forkVersion: '0.4.0-fork.1',
  previousVersion: '0.0.0',
  source: 'tag rust-v0.4.0',
  commit: null,
  files: [],
  members: [],
  ...b,
});

describe('typed stage data views', () => {
  it.each([
    [bump({}), '0.0.0 → 0.4.0-fork.1 (committed, from tag rust-v0.4.0)'],
    [bump({ status: 'unchanged', previousVersion: '0.4.0-fork.1', source: null }), 'already 0.4.0-fork.1 (no commit)'],
  ])('describeBump(%j)', (b, text) => {
    expect(describeBump(b)).toBe(text);
  });

  it('reads the recorded validation: failing test with its crate, the failing step log, counts', () => {
    const { data, problems } = readRunData(recordedRun('validation-failed'));
    expect(problems).toEqual([]);
    expect(failingTests(data.validate)).toEqual(['demo: tests::adds']);
    expect(validationLog(data.validate)).toMatch(/\.log$/);
    expect(describeTestCounts(data.validate!.tests!)).toMatch(/^0 passed, 1 failed, 0 ignored in \d+ test binaries \(demo 0✓ 1✗\)$/);
  });

  it('data that does not match its contract is not guessed at: null, with the problem named', () => {
    const state = recordedRun('success');
    const verify = state.stages.find((s) => s.name === 'verify')!;
    // The old drift: a producer renaming `dropped` to `droppedUpstream`.
    const { dropped, ...rest } = verify.data as Record<string, unknown>;
    verify.data = { ...rest, droppedUpstream: dropped };
    expect(readStageData(state, 'verify').data).toBeNull();
    const { problems } = readRunData(state);
    expect(problems.join('\n')).toMatch(/verify stage data does not match its contract: .*dropped/);
  });
});
