import { describe, expect, it } from 'vitest';
import { errors, outcomeOf, RebaseDailyError } from '../errors/errors.js';
import { EXIT, exitCodeFor, outcomeForExit, type ExitCode } from '../errors/exit-codes.js';

// Outcomes used to be decided by numbers in the stages (`exitCode === 12` in publish, `=== 13` in
// align, `=== EXIT.usage` in the pipeline and the CLI), each knowing a different subset. One rule
// now: the outcome an error's exit code stands for, so a run's exit code is its error's.
describe('outcomeForExit / outcomeOf', () => {
  it.each([
    [EXIT.usage, 'usage-error'],
    [EXIT.verifyConflict, 'verify-conflict'],
    [EXIT.applyConflict, 'apply-conflict'],
    [EXIT.pushBlocked, 'push-blocked'],
    [EXIT.graphiteFailed, 'graphite-failed'],
    [EXIT.validationFailed, 'validation-failed'],
    [EXIT.lockTaken, 'lock-taken'],
    [EXIT.partial, 'partial'],
    [EXIT.internal, 'error'],
    [EXIT.ok, 'error'], // success, no-change and resolved share 0: an error never stands for them
  ] as [ExitCode, string][])('exit %s → %s', (code, outcome) => {
    expect(outcomeForExit(code)).toBe(outcome);
    if (outcome !== 'error') expect(exitCodeFor(outcomeForExit(code))).toBe(code);
  });

  it.each([
    ['a lease error', errors.leaseBlocked('refs/heads/t', 'a', 'b', 'moved'), 'push-blocked'],
    ['a Graphite error (exit 13)', new RebaseDailyError('E_GRAPHITE_SYNC_FAILED', 'x', EXIT.graphiteFailed), 'graphite-failed'],
    ['a config error', errors.config('bad'), 'usage-error'],
    ['a lock error', errors.lockTaken('held', {}), 'lock-taken'],
    ['an internal error', errors.internal('boom'), 'error'],
    ['anything else thrown', new Error('boom'), 'error'],
  ])('%s → %s', (_name, err, outcome) => {
    expect(outcomeOf(err)).toBe(outcome);
  });
});
