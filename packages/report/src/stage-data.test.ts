import { describe, expect, it } from 'vitest';
import { describeBump, describeSuperseded, describeTestCounts, readFailures } from './stage-data.js';

// Shapes produced by @rebase-daily/git (BumpResult) and @rebase-daily/cargo-validate (ValidateData).
describe('stage data views', () => {
  it.each([
    [{ status: 'committed', previousVersion: '0.0.0', forkVersion: '0.4.0-fork.1', source: 'tag rust-v0.4.0' }, '0.0.0 → 0.4.0-fork.1 (committed, from tag rust-v0.4.0)'],
    [{ status: 'unchanged', previousVersion: '0.4.0-fork.1', forkVersion: '0.4.0-fork.1' }, 'already 0.4.0-fork.1 (no commit)'],
    [{ from: '1.0.0', to: '1.1.0' }, '1.0.0 → 1.1.0'],
    [
      { status: 'committed', previousVersion: '0.4.0', forkVersion: '0.5.0-fork.1', source: 'manifest Cargo.toml@abc', checks: { lockEntries: { members: 6, stale: [], missing: [] }, locked: { before: 'ok', after: 'ok' } } },
      '0.4.0 → 0.5.0-fork.1 (committed, from manifest Cargo.toml@abc); 6 member lock entries checked, cargo metadata --locked passes (before and after)',
    ],
    [
      { status: 'committed', previousVersion: '0.4.0', forkVersion: '0.5.0-fork.1', checks: { lockEntries: { members: 1, stale: [], missing: [] }, locked: { before: 'failed', after: 'skipped' } } },
      '0.4.0 → 0.5.0-fork.1 (committed); 1 member lock entry checked, cargo metadata --locked: failed before the bump',
    ],
  ])('describeBump(%j)', (bump, text) => {
    expect(describeBump(bump)).toBe(text);
  });

  it.each([
    [undefined, ''],
    [[], ''],
    [[{ sha: 'a'.repeat(40), subject: 'chore(fork): set fork version to 1.2.0-fork.1', reason: 'Rebase-Daily-Bump: 1.2.0-fork.1' }], '`aaaaaaa` "chore(fork): set fork version to 1.2.0-fork.1"'],
  ])('describeSuperseded(%j)', (value, text) => expect(describeSuperseded(value)).toBe(text));

  it('describes cargo-validate totals per crate and names failing tests with their crate', () => {
    const tests = {
      totals: { binaries: 4, passed: 3, failed: 1, ignored: 0 },
      crates: [
        { crate: 'counter', passed: 1, failed: 1, failingTests: ['tests::counts'] },
        { crate: 'greeter', passed: 2, failed: 0, failingTests: [] },
      ],
    };
    expect(describeTestCounts(tests)).toBe('3 passed, 1 failed, 0 ignored in 4 test binaries (counter 1✓ 1✗, greeter 2✓)');
    expect(readFailures({ tests })).toEqual(['counter: tests::counts']);
  });
});
