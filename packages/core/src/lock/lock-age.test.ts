import { mkdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockAge, type LockMeta } from './lock.js';
import { makeTempDir, removeDir } from '../testing/git-fixture.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

const now = new Date('2026-01-02T12:00:00Z');
const meta = (startedAt: string): LockMeta => ({ runId: 'r', pid: 1, ownerPid: 1, hostname: 'h', startedAt, command: 'daily', shas: {} });

// Acquisition, `status` and `doctor` each computed the age: status and doctor had no age and no
// staleness without a readable meta.json (acquisition uses the directory's mtime), and a date that
// does not parse gave NaN. One definition now; this pins it.
describe('lockAge (staleAfterHours 6)', () => {
  it.each([
    ['startedAt 2 h ago', meta('2026-01-02T10:00:00Z'), 2, false],
    ['startedAt exactly 6 h ago', meta('2026-01-02T06:00:00Z'), 6, true],
    ['startedAt in the future (clock skew)', meta('2026-01-02T13:00:00Z'), 0, false],
    ['no meta.json: the directory mtime (30 h)', null, 30, true],
    ['a startedAt that does not parse: the directory mtime (30 h)', meta('yesterday'), 30, true],
  ])('%s → %s h, stale %s', (_name, m, hours, stale) => {
    const dir = makeTempDir('rebase-daily-lock-');
    dirs.push(dir);
    const lockDir = join(dir, 'lock');
    mkdirSync(lockDir);
    const mtime = new Date(now.getTime() - 30 * 3_600_000);
    utimesSync(lockDir, mtime, mtime);
    expect(lockAge(lockDir, m, 6, now)).toEqual({ ageHours: hours, stale });
  });
});
