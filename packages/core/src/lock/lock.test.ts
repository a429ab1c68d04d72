import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readProcStat } from '../process/holder.js';
import { acquireLock, lockDirFor, releaseLock, releaseManualHold, type LockMeta } from './lock.js';
import { makeTempDir } from '../testing/index.js';

const meta = (runId: string, startedAt = new Date().toISOString(), pid = process.pid, host = hostname()): LockMeta => ({
  runId,
  pid,
  ownerPid: pid,
  hostname: host,
  startedAt,
  command: 'daily',
  shas: {},
});
/** A holder on another host: this host cannot judge it, so only the stale rule applies. */
const remote = (runId: string, startedAt?: string) => meta(runId, startedAt, 4242, 'build-box-2');
const hoursAgo = (h: number, now = new Date()) => new Date(now.getTime() - h * 3600_000).toISOString();

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
/** A real process that keeps running until the test ends. */
const liveChild = () => {
  const c = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(c);
  return c.pid!;
};
const waitFor = async (cond: () => boolean, what: string) => {
  const end = Date.now() + 20_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

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

  it('refuses a stale lock of another host without FORCE_STALE_LOCK and says how to break it', () => {
    const lockDir = lockDirFor(makeTempDir());
    acquireLock({ lockDir, meta: remote('old', hoursAgo(7)), staleAfterHours: 6, forceStale: false });
    const r = acquireLock({ lockDir, meta: meta('new'), staleAfterHours: 6, forceStale: false });
    expect(r.acquired).toBe(false);
    if (r.acquired) return;
    expect(r.stale).toBe(true);
    expect(r.pidAlive).toBeNull();
    expect(r.message).toMatch(/runs on another host \(build-box-2\).*rerun with FORCE_STALE_LOCK=1/);
  });

  it('breaks a stale lock with FORCE_STALE_LOCK and returns the previous holder', () => {
    const lockDir = lockDirFor(makeTempDir());
    acquireLock({ lockDir, meta: remote('old', hoursAgo(7)), staleAfterHours: 6, forceStale: false });
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
    // The pid of a hold is the `lock` command's, long gone: a manual hold is never "dead".
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
      if (!refused.released && refused.reason === 'run') expect(refused.message).toMatch(/not by a manual session and not by a dead process/);
      expect(existsSync(lockDir)).toBe(true);
      releaseLock(lockDir, 'run');
      acquireLock({ lockDir, meta: hold(), staleAfterHours: 6, forceStale: false });
      expect(releaseManualHold(lockDir)).toMatchObject({ released: true, holder: { manual: { user: 'ada' } } });
      expect(existsSync(lockDir)).toBe(false);
    });
  });

  describe('a dead holder (recorded identity: host, pid, start time, boot id)', () => {
    const fresh = (lockDir: string, m: LockMeta) => acquireLock({ lockDir, meta: m, staleAfterHours: 6, forceStale: false });

    it('records the owner\'s start time and boot id in meta.json, and leaves no draft beside the lock', () => {
      const lockDir = lockDirFor(makeTempDir());
      expect(fresh(lockDir, meta('a')).acquired).toBe(true);
      const written = JSON.parse(readFileSync(join(lockDir, 'meta.json'), 'utf8')) as LockMeta;
      expect(written.ownerStartTime).toBe(readProcStat(process.pid)!.startTime);
      expect(written.bootId).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
      expect(readdirSync(dirname(lockDir))).toEqual(['rebase-daily.lock']);
    });

    it('is taken over when its process was killed (kill -9 of a real child): the takeover names it and why', async () => {
      const lockDir = lockDirFor(makeTempDir());
      const pid = liveChild();
      expect(fresh(lockDir, meta('crashed', undefined, pid)).acquired).toBe(true);
      const held = fresh(lockDir, meta('next'));
      expect(held).toMatchObject({ acquired: false, pidAlive: true });
      process.kill(pid, 'SIGKILL');
      await waitFor(() => readProcStat(pid) === null, 'the child to be reaped');
      const r = fresh(lockDir, meta('next'));
      expect(r).toMatchObject({ acquired: true, override: null, takenOver: { previous: { runId: 'crashed', pid }, reason: `pid ${pid} is not running` } });
      expect(JSON.parse(readFileSync(join(lockDir, 'meta.json'), 'utf8')).runId).toBe('next');
      expect(readdirSync(dirname(lockDir))).toEqual(['rebase-daily.lock']);
    });

    it('is taken over when its process is a zombie (exited, parent never reaps it)', async () => {
      const lockDir = lockDirFor(makeTempDir());
      // sh starts a short child, then becomes `sleep`, which never waits: the child stays a zombie.
      const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
      children.push(parent);
      const pid = Number(await new Promise<string>((res) => parent.stdout!.once('data', (d) => res(String(d).trim()))));
      const startTime = readProcStat(pid)!.startTime;
      expect(fresh(lockDir, { ...meta('zombie', undefined, pid), ownerStartTime: startTime }).acquired).toBe(true);
      await waitFor(() => readProcStat(pid)?.state === 'Z', 'the child to become a zombie');
      const r = fresh(lockDir, meta('next'));
      expect(r.acquired && r.takenOver?.reason).toMatch(/has exited \(a zombie/);
    });

    it('is taken over when its pid now belongs to another process (start time differs)', () => {
      const lockDir = lockDirFor(makeTempDir());
      expect(fresh(lockDir, { ...meta('reused', undefined, liveChild()), ownerStartTime: '1' }).acquired).toBe(true);
      const r = fresh(lockDir, meta('next'));
      expect(r.acquired && r.takenOver?.reason).toMatch(/now belongs to another process/);
    });

    it('is taken over after a reboot (boot id differs), whatever the pid', () => {
      const lockDir = lockDirFor(makeTempDir());
      expect(fresh(lockDir, { ...meta('before-reboot', undefined, liveChild()), bootId: '00000000-dead-beef-0000-000000000000' }).acquired).toBe(true);
      const r = fresh(lockDir, meta('next'));
      expect(r.acquired && r.takenOver?.reason).toMatch(/rebooted since/);
    });

    it('a live holder with its recorded start time is not taken over, stale or not, without FORCE_STALE_LOCK', () => {
      const lockDir = lockDirFor(makeTempDir());
      expect(fresh(lockDir, meta('live', hoursAgo(7), liveChild())).acquired).toBe(true);
      const r = fresh(lockDir, meta('next'));
      expect(r).toMatchObject({ acquired: false, stale: true, pidAlive: true });
    });

    it('a manual hold is never taken over for its dead pid', () => {
      const lockDir = lockDirFor(makeTempDir());
      fresh(lockDir, { ...meta('manual-x', undefined, 999_999), command: 'lock', manual: { reason: 'r', user: 'ada' } });
      expect(fresh(lockDir, meta('next'))).toMatchObject({ acquired: false, pidAlive: null });
    });

    it('unlock removes the lock of a dead run and says why; a live run\'s lock stays', async () => {
      const lockDir = lockDirFor(makeTempDir());
      const pid = liveChild();
      fresh(lockDir, meta('crashed', undefined, pid));
      expect(releaseManualHold(lockDir)).toMatchObject({ released: false, reason: 'run' });
      process.kill(pid, 'SIGKILL');
      await waitFor(() => readProcStat(pid) === null, 'the child to be reaped');
      expect(releaseManualHold(lockDir)).toMatchObject({ released: true, holder: { runId: 'crashed' }, dead: `pid ${pid} is not running` });
      expect(existsSync(lockDir)).toBe(false);
    });
  });

  describe('the stale rule at its boundary (live holder, FORCE_STALE_LOCK=1, staleAfterHours 6)', () => {
    const now = new Date('2026-03-02T08:00:00.000Z');
    it.each([
      ['1 ms short of 6 h: fresh, refused', 6 * 3600_000 - 1, false],
      ['exactly 6 h: stale, broken', 6 * 3600_000, true],
      ['6 h and 1 ms: stale, broken', 6 * 3600_000 + 1, true],
    ])('%s', (_name, ageMs, broken) => {
      const lockDir = lockDirFor(makeTempDir());
      acquireLock({ lockDir, meta: meta('live', new Date(now.getTime() - ageMs).toISOString()), staleAfterHours: 6, forceStale: false, now });
      const r = acquireLock({ lockDir, meta: meta('next'), staleAfterHours: 6, forceStale: true, now });
      expect(r.acquired).toBe(broken);
      if (r.acquired) expect(r.override).toEqual({ previous: expect.objectContaining({ runId: 'live' }), ageHours: ageMs / 3600_000 });
      else expect(r).toMatchObject({ stale: false, pidAlive: true });
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
