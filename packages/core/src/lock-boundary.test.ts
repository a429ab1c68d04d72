import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, lockDirFor, readLockMeta, type LockMeta } from './lock.js';
import { makeTempDir } from './testing/index.js';

// The stale rule is `age >= staleAfterHours`: a lock exactly staleAfterHours old is stale, one a
// millisecond younger is fresh. `now` is passed in, so the boundary is exact, not timing-dependent.
const HOUR = 3_600_000;
const now = new Date('2030-01-02T12:00:00.000Z');
const meta = (runId: string, startedAt: string, pid = 999_999): LockMeta => ({ runId, pid, ownerPid: pid, hostname: hostname(), startedAt, command: 'daily', shas: {} });

function heldSince(ms: number): string {
  const lockDir = lockDirFor(makeTempDir());
  expect(acquireLock({ lockDir, meta: meta('holder', new Date(now.getTime() - ms).toISOString()), staleAfterHours: 6, forceStale: false, now }).acquired).toBe(true);
  return lockDir;
}

describe('lock stale boundary (staleAfterHours = 6)', () => {
  it.each([
    ['exactly 6 h', 6 * HOUR, true],
    ['6 h + 1 ms', 6 * HOUR + 1, true],
    ['6 h − 1 ms', 6 * HOUR - 1, false],
    ['5 h', 5 * HOUR, false],
    ['0 h', 0, false],
  ] as const)('held for %s: stale = %s', (_label, ageMs, stale) => {
    const lockDir = heldSince(ageMs);
    const r = acquireLock({ lockDir, meta: meta('next', now.toISOString(), process.pid), staleAfterHours: 6, forceStale: false, now });
    expect(r.acquired).toBe(false);
    if (r.acquired) throw new Error('unreachable');
    expect(r.stale).toBe(stale);
    expect(r.ageHours).toBe(ageMs / HOUR);
    expect(r.message).toMatch(stale ? /it is stale \(> 6 h\): rerun with FORCE_STALE_LOCK=1/ : /it becomes stale after 6 h; wait for it to finish/);
  });

  it('FORCE_STALE_LOCK breaks a lock of exactly 6 h and records its age', () => {
    const lockDir = heldSince(6 * HOUR);
    const r = acquireLock({ lockDir, meta: meta('next', now.toISOString(), process.pid), staleAfterHours: 6, forceStale: true, now });
    expect(r).toEqual({ acquired: true, override: { previous: expect.objectContaining({ runId: 'holder' }), ageHours: 6 } });
    expect(readLockMeta(lockDir)?.runId).toBe('next');
  });

  it('FORCE_STALE_LOCK does not break a lock 1 ms short of 6 h', () => {
    const lockDir = heldSince(6 * HOUR - 1);
    const r = acquireLock({ lockDir, meta: meta('next', now.toISOString(), process.pid), staleAfterHours: 6, forceStale: true, now });
    expect(r.acquired).toBe(false);
    if (r.acquired) throw new Error('unreachable');
    expect(r.message).toMatch(/FORCE_STALE_LOCK never breaks a fresh lock/);
    expect(readLockMeta(lockDir)?.runId).toBe('holder');
  });

  it.each([
    ['exactly 6 h', 6 * HOUR, true],
    ['6 h − 1 s', 6 * HOUR - 1000, false],
  ] as const)('a lock without readable meta.json is aged by its directory mtime: %s → stale = %s', (_label, ageMs, stale) => {
    const lockDir = join(makeTempDir(), 'locks', 'rebase-daily.lock');
    mkdirSync(lockDir, { recursive: true });
    writeFileSync(join(lockDir, 'meta.json'), 'not json');
    const t = (now.getTime() - ageMs) / 1000;
    utimesSync(lockDir, t, t);
    const r = acquireLock({ lockDir, meta: meta('next', now.toISOString(), process.pid), staleAfterHours: 6, forceStale: false, now });
    if (r.acquired) throw new Error('a held lock was acquired');
    expect(r.holder).toBeNull();
    expect(r.stale).toBe(stale);
    expect(r.ageHours).toBeCloseTo(ageMs / HOUR, 6);
  });

  it('a lock started in the future (clock skew) has age 0, not a negative age', () => {
    const lockDir = heldSince(-HOUR);
    const r = acquireLock({ lockDir, meta: meta('next', now.toISOString(), process.pid), staleAfterHours: 6, forceStale: true, now });
    if (r.acquired) throw new Error('a fresh lock was broken');
    expect(r.ageHours).toBe(0);
    expect(r.stale).toBe(false);
  });
});
