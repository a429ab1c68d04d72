import { readStageData, type ApplyData } from '@rebase-daily/core';
import { describe, expect, it } from 'vitest';
import { describeBump, describeSuperseded, describeTestCounts, failingTests, readRunData, validationLog } from './stage-data.js';
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
  checks: null,
  ...b,
});

describe('typed stage data views', () => {
  it.each([
    [bump({}), '0.0.0 → 0.4.0-fork.1 (committed, from tag rust-v0.4.0)'],
    [bump({ status: 'unchanged', previousVersion: '0.4.0-fork.1', source: null }), 'already 0.4.0-fork.1 (no commit)'],
    [
      bump({ previousVersion: '0.4.0', forkVersion: '0.5.0-fork.1', source: 'manifest Cargo.toml@abc', checks: { lockEntries: { members: 6, stale: [], missing: [] }, locked: { before: 'ok', after: 'ok' } } }),
      '0.4.0 → 0.5.0-fork.1 (committed, from manifest Cargo.toml@abc); 6 member lock entries checked, cargo metadata --locked passes (before and after)',
    ],
    [
      bump({ previousVersion: '0.4.0', forkVersion: '0.5.0-fork.1', source: null, checks: { lockEntries: { members: 1, stale: [], missing: [] }, locked: { before: 'failed', after: 'skipped' } } }),
      '0.4.0 → 0.5.0-fork.1 (committed); 1 member lock entry checked, cargo metadata --locked: failed before the bump',
    ],
  ])('describeBump(%j)', (b, text) => {
    expect(describeBump(b)).toBe(text);
  });

  it.each([
    [undefined, ''],
    [[], ''],
    [[{ sha: 'a'.repeat(40), subject: 'chore(fork): set fork version to 1.2.0-fork.1', reason: 'Rebase-Daily-Bump: 1.2.0-fork.1' }], '`aaaaaaa` "chore(fork): set fork version to 1.2.0-fork.1"'],
  ])('describeSuperseded(%j)', (value, text) => expect(describeSuperseded(value)).toBe(text));

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
