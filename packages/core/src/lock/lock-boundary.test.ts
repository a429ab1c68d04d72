import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, lockDirFor, pidAlive, readLockMeta, releaseManualHold, type LockMeta } from './lock.js';
import { makeTempDir } from '../testing/index.js';

// The stale rule is `age >= staleAfterHours`: a lock exactly staleAfterHours old is stale, one a
// millisecond younger is fresh. `now` is passed in, so the boundary is exact, not timing-dependent.
const HOUR = 3_600_000;
const now = new Date('2030-01-02T12:00:00.000Z');
// The holder is this test process: alive, so only the stale rule can break its lock (a dead holder on
// this host would be taken over at any age).
const meta = (runId: string, startedAt: string, pid = process.pid): LockMeta => ({ runId, pid, ownerPid: pid, hostname: hostname(), startedAt, command: 'daily', shas: {} });

function heldSince(ms: number): string {
  const lockDir = lockDirFor(makeTempDir());
  expect(acquireLock({ lockDir, meta: meta('holder', new Date(now.getTime() - ms).toISOString()), staleAfterHours: 6, forceStale: false, now }).acquired).toBe(true);
  return lockDir;
}

describe('lock stale boundary (staleAfterHours = 6)', () => {
  it.each([
    { label: 'exactly 6 h', ageMs: 6 * HOUR, stale: true },
    { label: '6 h + 1 ms', ageMs: 6 * HOUR + 1, stale: true },
    { label: '6 h − 1 ms', ageMs: 6 * HOUR - 1, stale: false },
    { label: '5 h', ageMs: 5 * HOUR, stale: false },
    { label: '0 h', ageMs: 0, stale: false },
  ] as const)('held for $label: stale = $stale', ({ ageMs, stale }) => {
    const lockDir = heldSince(ageMs);
    const r = acquireLock({ lockDir, meta: meta('next', now.toISOString(), process.pid), staleAfterHours: 6, forceStale: false, now });
    expect(r.acquired).toBe(false);
    if (r.acquired) throw new Error('unreachable');
    expect(r.stale).toBe(stale);
    expect(r.ageHours).toBe(ageMs / HOUR);
    expect(r.message).toMatch(stale ? /it is stale \(6 h or older\): rerun with FORCE_STALE_LOCK=1/ : /it becomes stale after 6 h; wait for it to finish/);
  });

  it('FORCE_STALE_LOCK breaks a lock of exactly 6 h, records its age, and leaves no broken copy behind', () => {
    const lockDir = heldSince(6 * HOUR);
    const r = acquireLock({ lockDir, meta: meta('next', now.toISOString(), process.pid), staleAfterHours: 6, forceStale: true, now });
    expect(r).toEqual({ acquired: true, override: { previous: expect.objectContaining({ runId: 'holder' }), ageHours: 6 }, takenOver: null });
    expect(readLockMeta(lockDir)?.runId).toBe('next');
    expect(readdirSync(join(lockDir, '..'))).toEqual(['rebase-daily.lock']);
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
    { label: 'exactly 6 h', ageMs: 6 * HOUR, stale: true },
    { label: '6 h − 1 s', ageMs: 6 * HOUR - 1000, stale: false },
  ] as const)('a lock without readable meta.json is aged by its directory mtime: $label → stale = $stale', ({ ageMs, stale }) => {
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

describe('lock: who holds it, as the refusal says', () => {
  it('lives at <scratch>/locks/rebase-daily.lock', () => {
    expect(lockDirFor('/scratch')).toBe('/scratch/locks/rebase-daily.lock');
  });

  it('a holder on another host: liveness unknown (null), and the message claims neither way', () => {
    expect(pidAlive(process.pid, 'another-host.example')).toBeNull();
    const lockDir = lockDirFor(makeTempDir());
    acquireLock({ lockDir, meta: { ...meta('remote', now.toISOString(), process.pid), hostname: 'another-host.example' }, staleAfterHours: 6, forceStale: false, now });
    const r = acquireLock({ lockDir, meta: meta('next', now.toISOString(), process.pid), staleAfterHours: 6, forceStale: false, now });
    if (r.acquired) throw new Error('a held lock was acquired');
    expect(r.pidAlive).toBeNull();
    expect(r.message).not.toMatch(/still running|not running/);
    expect(r.message).toMatch(/^lock held by run remote \(pid \d+ on another-host\.example, daily\) since /);
  });

  it('judges and names the owner pid (the long-lived orchestrator), not the stage process pid', () => {
    const lockDir = lockDirFor(makeTempDir());
    acquireLock({ lockDir, meta: { ...meta('nx', now.toISOString(), 999_999), ownerPid: process.pid }, staleAfterHours: 6, forceStale: false, now });
    const r = acquireLock({ lockDir, meta: meta('next', now.toISOString(), process.pid), staleAfterHours: 6, forceStale: false, now });
    if (r.acquired) throw new Error('a held lock was acquired');
    expect(r.pidAlive).toBe(true);
    expect(r.message).toContain(`(pid ${process.pid} on `);
    expect(r.message).toContain('; that process is still running;');
  });

  it('a fresh manual hold refused under FORCE_STALE_LOCK says that it never breaks a fresh lock', () => {
    const lockDir = lockDirFor(makeTempDir());
    acquireLock({ lockDir, meta: { ...meta('manual', now.toISOString(), process.pid), manual: { reason: 'hand work', user: 'ana' } }, staleAfterHours: 6, forceStale: false, now });
    const forced = acquireLock({ lockDir, meta: meta('next', now.toISOString(), process.pid), staleAfterHours: 6, forceStale: true, now });
    const plain = acquireLock({ lockDir, meta: meta('next', now.toISOString(), process.pid), staleAfterHours: 6, forceStale: false, now });
    if (forced.acquired || plain.acquired) throw new Error('a held lock was acquired');
    expect(forced.message).toMatch(/^lock held by a manual session of ana on .* \("hand work"\) since .*; it ends with `rebase-daily unlock`; it becomes stale after 6 h \(FORCE_STALE_LOCK never breaks a fresh lock\); wait until that session ends it$/);
    expect(plain.message).toMatch(/; it becomes stale after 6 h; wait until that session ends it$/);
  });

  it('unlock of a lock without meta.json: not a manual hold, left in place', () => {
    const lockDir = lockDirFor(makeTempDir());
    mkdirSync(lockDir, { recursive: true });
    const r = releaseManualHold(lockDir);
    expect(r).toMatchObject({ released: false, reason: 'run', holder: null });
    if (r.released || r.reason !== 'run') throw new Error('unreachable');
    expect(r.message).toMatch(/^lock held by an unknown run \(no meta\.json\), not by a manual session/);
    expect(readdirSync(join(lockDir, '..'))).toEqual(['rebase-daily.lock']);
  });

  it('a lock directory that cannot be created for another reason than "exists" is an error, not a refusal', () => {
    const scratch = makeTempDir();
    // Thrown by the mkdir itself (not by a later look at a lock that is not there).
    expect(() => acquireLock({ lockDir: join(scratch, 'x'.repeat(300)), meta: meta('a', now.toISOString(), process.pid), staleAfterHours: 6, forceStale: false, now })).toThrow(
      expect.objectContaining({ code: 'ENAMETOOLONG', syscall: 'mkdir' }),
    );
  });

  it('a forced break whose move aside fails (the aside name is taken) is tried once, then refused naming the stale holder', () => {
    const lockDir = heldSince(7 * HOUR);
    // The aside name is fixed by `now` and our pid: occupy it, so the rename cannot happen.
    const aside = `${lockDir}.broken-${now.getTime()}-${process.pid}`;
    mkdirSync(join(aside, 'occupied'), { recursive: true });
    const r = acquireLock({ lockDir, meta: meta('next', now.toISOString(), process.pid), staleAfterHours: 6, forceStale: true, now });
    if (r.acquired) throw new Error('acquired a lock that was never broken');
    expect(r).toMatchObject({ stale: true, ageHours: 7, holder: { runId: 'holder' } });
    expect(r.message).toMatch(/^lock held by run holder .*it is stale \(6 h or older\): rerun with FORCE_STALE_LOCK=1/);
    expect(readLockMeta(lockDir)?.runId).toBe('holder');
    expect(readdirSync(aside)).toEqual(['occupied']);
  });
});
