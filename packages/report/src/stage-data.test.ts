import { describe, expect, it } from 'vitest';
import { describeBump, describeTestCounts, readFailures } from './stage-data.js';

// Shapes produced by @rebase-daily/git (BumpResult) and @rebase-daily/cargo-validate (ValidateData).
describe('stage data views', () => {
  it.each([
    [{ status: 'committed', previousVersion: '0.0.0', forkVersion: '0.4.0-fork.1', source: 'tag rust-v0.4.0' }, '0.0.0 → 0.4.0-fork.1 (committed, from tag rust-v0.4.0)'],
    [{ status: 'unchanged', previousVersion: '0.4.0-fork.1', forkVersion: '0.4.0-fork.1' }, 'already 0.4.0-fork.1 (no commit)'],
    [{ from: '1.0.0', to: '1.1.0' }, '1.0.0 → 1.1.0'],
  ])('describeBump(%j)', (bump, text) => {
    expect(describeBump(bump)).toBe(text);
  });

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
