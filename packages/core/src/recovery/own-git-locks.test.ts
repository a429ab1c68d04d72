import { describe, expect, it } from 'vitest';
import { stoppedCommands } from './git-locks.js';

const start = (id: string, argv: string[]) => JSON.stringify({ id, at: '2026-12-07T10:00:00.000Z', event: 'start', argv, cwd: '/r' });
const end = (id: string, extra: Record<string, unknown>) => JSON.stringify({ id, at: '2026-12-07T10:00:01.000Z', argv: [], cwd: '/r', exitCode: 0, ...extra });

describe('stoppedCommands: the commands a run stopped itself (interrupt, timeout) or a signal ended', () => {
  it.each([
    ['cancelled by the interrupt', { exitCode: 130, stderr: '(cancelled: run interrupted)' }, true],
    ['timed out', { exitCode: 124, timedOut: true }, true],
    ['ended by a signal', { exitCode: 1, signal: 'SIGTERM' }, true],
    ['never started (already interrupted)', { exitCode: 130, stderr: '(cancelled: run interrupted before it started; not run)' }, false],
    ['finished', { exitCode: 0 }, false],
    ['failed on its own', { exitCode: 128, stderr: 'fatal: bad revision' }, false],
  ])('%s', (_what, extra, stopped) => {
    const log = [start('1', ['git', 'status']), end('1', extra), '{"torn'].join('\n');
    expect(stoppedCommands(log, 'run-a').map((c) => c.argv)).toEqual(stopped ? [['git', 'status']] : []);
  });
});
