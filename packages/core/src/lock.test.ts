import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, lockDirFor, releaseLock, releaseManualHold, type LockMeta } from './lock.js';
import { makeTempDir } from './testing/index.js';

const meta = (runId: string, startedAt = new Date().toISOString(), pid = process.pid): LockMeta => ({
  runId,
  pid,
  ownerPid: pid,
  hostname: hostname(),
  startedAt,
  command: 'daily',
  shas: {},
});

describe('lock', () => {
  it('is exclusive: a second acquire is refused with who holds it and whether that pid lives', () => {
    const lockDir = lockDirFor(makeTempDir());
    expect(acquireLock({ lockDir, meta: meta('a'), staleAfterHours: 6, forceStale: false }).acquired).toBe(true);
    const second = acquireLock({ lockDir, meta: meta('b'), staleAfterHours: 6, forceStale: true });
    expect(second.acquired).toBe(false);
    if (second.acquired) return;
    expect(second.holder?.runId).toBe('a');
    expect(second.pidAlive).toBe(true);
    expect(second.stale).toBe(false);
    expect(second.message).toMatch(/lock held by run a .*still running.*FORCE_STALE_LOCK never breaks a fresh lock/);
    expect(JSON.parse(readFileSync(join(lockDir, 'meta.json'), 'utf8')).runId).toBe('a');
  });

  it('refuses a stale lock without FORCE_STALE_LOCK and says how to break it', () => {
    const lockDir = lockDirFor(makeTempDir());
    const old = new Date(Date.now() - 7 * 3600_000).toISOString();
    acquireLock({ lockDir, meta: meta('old', old, 999_999), staleAfterHours: 6, forceStale: false });
    const r = acquireLock({ lockDir, meta: meta('new'), staleAfterHours: 6, forceStale: false });
    expect(r.acquired).toBe(false);
    if (r.acquired) return;
    expect(r.stale).toBe(true);
    expect(r.pidAlive).toBe(false);
    expect(r.message).toMatch(/not running \(crashed run\?\).*rerun with FORCE_STALE_LOCK=1/);
  });

  it('breaks a stale lock with FORCE_STALE_LOCK and returns the previous holder', () => {
    const lockDir = lockDirFor(makeTempDir());
    const old = new Date(Date.now() - 7 * 3600_000).toISOString();
    acquireLock({ lockDir, meta: meta('old', old, 999_999), staleAfterHours: 6, forceStale: false });
    const r = acquireLock({ lockDir, meta: meta('new'), staleAfterHours: 6, forceStale: true });
    expect(r.acquired).toBe(true);
    if (!r.acquired) return;
    expect(r.override?.previous?.runId).toBe('old');
    expect(r.override?.ageHours).toBeGreaterThan(6.9);
  });

  it('treats a lock without meta.json by its directory age', () => {
    const lockDir = lockDirFor(makeTempDir());
    acquireLock({ lockDir, meta: meta('x'), staleAfterHours: 6, forceStale: false });
    writeFileSync(join(lockDir, 'meta.json'), 'garbage');
    const r = acquireLock({ lockDir, meta: meta('y'), staleAfterHours: 6, forceStale: true });
    expect(r.acquired).toBe(false);
    if (!r.acquired) expect(r.message).toMatch(/unknown run/);
  });

  it('is released only by its own run', () => {
    const lockDir = lockDirFor(makeTempDir());
    acquireLock({ lockDir, meta: meta('mine'), staleAfterHours: 6, forceStale: false });
    expect(releaseLock(lockDir, 'theirs')).toBe(false);
    expect(existsSync(lockDir)).toBe(true);
    expect(releaseLock(lockDir, 'mine')).toBe(true);
    expect(existsSync(lockDir)).toBe(false);
  });

  describe('manual holds (rebase-daily lock / unlock)', () => {
    const hold = (startedAt?: string): LockMeta => ({ ...meta('manual-1', startedAt, 999_999), command: 'lock', manual: { reason: 'resolving a verify conflict', user: 'ada' } });

    it('refuses runs with who holds it and how it ends, whatever its pid', () => {
      const lockDir = lockDirFor(makeTempDir());
      expect(acquireLock({ lockDir, meta: hold(), staleAfterHours: 6, forceStale: false }).acquired).toBe(true);
      const r = acquireLock({ lockDir, meta: meta('run'), staleAfterHours: 6, forceStale: true });
      expect(r.acquired).toBe(false);
      if (r.acquired) return;
      expect(r.pidAlive).toBeNull();
      expect(r.message).toMatch(/manual session of ada .*"resolving a verify conflict".*rebase-daily unlock/);
      expect(r.message).not.toMatch(/crashed/);
    });

    it('goes by the stale rule like any lock', () => {
      const lockDir = lockDirFor(makeTempDir());
      acquireLock({ lockDir, meta: hold(new Date(Date.now() - 7 * 3600_000).toISOString()), staleAfterHours: 6, forceStale: false });
      const r = acquireLock({ lockDir, meta: meta('run'), staleAfterHours: 6, forceStale: true });
      expect(r.acquired && r.override?.previous?.manual?.user).toBe('ada');
    });

    it('unlock ends a manual hold only, never a run\'s lock', () => {
      const lockDir = lockDirFor(makeTempDir());
      expect(releaseManualHold(lockDir)).toEqual({ released: false, reason: 'free' });
      acquireLock({ lockDir, meta: meta('run'), staleAfterHours: 6, forceStale: false });
      const refused = releaseManualHold(lockDir);
      expect(refused).toMatchObject({ released: false, reason: 'run' });
      if (!refused.released && refused.reason === 'run') expect(refused.message).toMatch(/not by a manual session/);
      expect(existsSync(lockDir)).toBe(true);
      releaseLock(lockDir, 'run');
      acquireLock({ lockDir, meta: hold(), staleAfterHours: 6, forceStale: false });
      expect(releaseManualHold(lockDir)).toMatchObject({ released: true, holder: { manual: { user: 'ada' } } });
      expect(existsSync(lockDir)).toBe(false);
    });
  });

  describe('holds of kind resolve (rebase-daily resolve)', () => {
    const resolveHold = (): LockMeta => ({
      ...meta('resolve-r1', undefined, 999_999),
      command: 'resolve',
      manual: { reason: 'conflict resolution r1', user: 'ada' },
      resolve: { id: 'r1', worktree: '/scratch/resolve/worktree-r1', authorisedBy: 'bob' },
    });

    it('refuses runs naming the resolution and how it ends', () => {
      const lockDir = lockDirFor(makeTempDir());
      acquireLock({ lockDir, meta: resolveHold(), staleAfterHours: 6, forceStale: false });
      const r = acquireLock({ lockDir, meta: meta('run'), staleAfterHours: 6, forceStale: false });
      expect(!r.acquired && r.message).toMatch(/^lock held by a conflict resolution \(r1\) of ada .*worktree \/scratch\/resolve\/worktree-r1; it ends with `rebase-daily resolve finish` or `rebase-daily resolve abort`/);
    });

    it('unlock refuses it: only resolve finish or abort end a resolution', () => {
      const lockDir = lockDirFor(makeTempDir());
      acquireLock({ lockDir, meta: resolveHold(), staleAfterHours: 6, forceStale: false });
      expect(releaseManualHold(lockDir)).toMatchObject({ released: false, reason: 'resolve', message: expect.stringMatching(/end it with `rebase-daily resolve finish` or `rebase-daily resolve abort`, not unlock/) });
      expect(existsSync(lockDir)).toBe(true);
      expect(releaseLock(lockDir, 'resolve-r1')).toBe(true);
    });
  });
});
