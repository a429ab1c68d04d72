import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../process/process.js';
import { acquireRemoteLock, formatRemoteLockMessage, parseRemoteLockMessage, readRemoteLock, releaseRemoteLock, remoteLockRef, type RemoteLockOptions } from './remote-lock.js';
import { createForkFixture, git, type ForkFixture } from '../testing/index.js';

describe('lock commit message', () => {
  const meta = { host: 'cron-box', pid: 4242, runId: '20261207T230000Z-4242-ab12', startedAt: '2026-12-07T23:00:00.000Z' };
  it.each([
    [formatRemoteLockMessage(meta), meta],
    ['rebase-daily lock\n\nhost: ci\npid: 7\nrun: r1\nstarted: 2026-01-01T00:00:00Z\n', { host: 'ci', pid: 7, runId: 'r1', startedAt: '2026-01-01T00:00:00Z' }],
    ['rebase-daily lock\n\nhost: ci\n', null],
    ['some other commit\n\nhost: ci\npid: 7\nrun: r1\nstarted: x\n', null],
  ])('%j parses to %j', (message, expected) => {
    expect(parseRemoteLockMessage(message)).toEqual(expected);
  });
});

// Real repos: two clones of one bare fork remote (two hosts).
describe('acquireRemoteLock / releaseRemoteLock', () => {
  let fixture: ForkFixture | undefined;
  afterEach(() => fixture?.cleanup());
  const opts = (repo: string, runId: string, extra: Partial<RemoteLockOptions> = {}): RemoteLockOptions => ({
    repo,
    remote: 'origin',
    trunk: fixture!.trunk,
    meta: { host: `host-${runId}`, pid: 1, runId, startedAt: new Date().toISOString() },
    staleAfterHours: 6,
    forceStale: false,
    timeoutMs: 30_000,
    ...extra,
  });
  const lockSha = () => {
    try {
      return git(fixture!.originBare, 'rev-parse', '--verify', '--quiet', remoteLockRef(fixture!.trunk));
    } catch {
      return null;
    }
  };

  it('one holder at a time; the refused run is told the host and run; release deletes only its own commit', async () => {
    fixture = createForkFixture();
    const other = fixture.otherClone();
    git(other, 'checkout', '-q', '-b', fixture.trunk, `origin/${fixture.trunk}`);
    const a = await acquireRemoteLock(run, opts(fixture.clone, 'run-a'));
    expect(a.acquired).toBe(true);
    expect(lockSha()).toBe(a.info.sha);
    const b = await acquireRemoteLock(run, opts(other, 'run-b'));
    expect(b).toMatchObject({ acquired: false, stale: false });
    expect(b.acquired === false && b.message).toMatch(/held by run run-a on host host-run-a \(pid 1, since .*\); wait for that run to finish/);
    // b never held it: its release is a no-op; a's release deletes exactly a's commit.
    expect(await releaseRemoteLock(run, other, b.info, 30_000)).toBeNull();
    expect(lockSha()).toBe(a.info.sha);
    expect(await releaseRemoteLock(run, fixture.clone, a.info, 30_000)).toBeNull();
    expect(lockSha()).toBeNull();
    expect(await readRemoteLock(run, fixture.clone, 'origin', fixture.trunk, 30_000)).toBeNull();
  });

  it('a stale lock is replaced only with FORCE_STALE_LOCK=1, by a push leased on that commit; the old holder cannot then delete it', async () => {
    fixture = createForkFixture();
    const other = fixture.otherClone();
    git(other, 'checkout', '-q', '-b', fixture.trunk, `origin/${fixture.trunk}`);
    const old = await acquireRemoteLock(run, opts(fixture.clone, 'old', { meta: { host: 'gone', pid: 9, runId: 'old', startedAt: '2026-01-01T00:00:00.000Z' } }));
    expect(old.acquired).toBe(true);
    const refused = await acquireRemoteLock(run, opts(other, 'new'));
    expect(refused.acquired === false && refused.message).toMatch(/older than lock.staleAfterHours \(6 h\): if that run is dead, rerun with FORCE_STALE_LOCK=1/);
    const forced = await acquireRemoteLock(run, opts(other, 'new', { forceStale: true }));
    expect(forced.acquired).toBe(true);
    expect(forced.acquired && forced.info.takenOver).toMatchObject({ previous: { runId: 'old', host: 'gone' }, previousSha: old.info.sha });
    expect(forced.acquired && forced.warning).toMatch(/FORCE_STALE_LOCK=1 replaced the stale lock .* held by run old on host gone/);
    // The old holder's release is leased on its own commit: it fails and leaves the new lock.
    expect(await releaseRemoteLock(run, fixture.clone, old.info, 30_000)).toMatch(/could not release/);
    expect(lockSha()).toBe(forced.info.sha);
  });
});
