import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireRemoteLock, remoteLockRef, run } from '@rebase-daily/core';
import { createForkFixture, git, writeFixtureConfig } from '@rebase-daily/core/testing';
import { cli, spawnCli } from './helpers.js';

// Two hosts, two separate clones of one fork remote, `lock.remote: true`, both `rebase-daily daily`
// started at the same instant (two real processes), 20 times. The git server's compare-and-swap on
// the leased lock push lets exactly one proceed; the other exits 15 naming the holder's host and run.
// A pre-push hook that waits 2 s before the trunk push keeps the winner's lock held long enough
// for the loser to meet it even on a busy machine. Small fixtures keep the 20 rounds bounded.
const ROUNDS = Number(process.env.RACE_ROUNDS ?? 20);

function round() {
  const fixture = createForkFixture({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] });
  const second = fixture.otherClone('host-b');
  git(second, 'remote', 'add', 'upstream', fixture.upstreamBare);
  git(second, 'fetch', '-q', 'upstream');
  git(second, 'checkout', '-q', '-b', fixture.trunk, `origin/${fixture.trunk}`);
  const configs = [fixture.clone, second].map((clone, i) => {
    const hook = join(clone, '.git', 'hooks', 'pre-push');
    writeFileSync(hook, '#!/bin/sh\n# only the trunk push waits, not the lock pushes\ngrep -q refs/heads/ && sleep 2\nexit 0\n');
    chmodSync(hook, 0o755);
    return writeFixtureConfig(fixture, { repo: clone, lock: { remote: true } }, join(fixture.root, `rebase-daily-${i}.json`));
  });
  return { fixture, clones: [fixture.clone, second], configs };
}

describe('the fork remote lock across two hosts', () => {
  it(`exactly one of two simultaneous runs proceeds, ${ROUNDS} times; the other exits 15 naming the holder`, async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const { fixture, clones, configs } = round();
      try {
        const before = clones.map((c) => git(c, 'rev-parse', fixture.trunk));
        const runs = configs.map((c) => spawnCli(['daily', '--config', c], { FORCE_STALE_LOCK: '' }));
        const results = await Promise.all(runs.map((r) => r.done));
        const codes = results.map((r) => r.code);
        expect([...codes].sort(), `round ${i}: ${results.map((r) => r.stderr).join('\n---\n')}`).toEqual([0, 15]);
        const winner = codes.indexOf(0);
        const loser = 1 - winner;
        // The loser names the host and run that held the lock, and changed nothing.
        expect(results[loser].stderr).toMatch(/the fork remote's lock refs\/rebase-daily\/lock\/\S+ on origin is held by run \S+ on host \S+ \(pid \d+, since/);
        // The fork remote ends as one run leaves it: the winner's rebased trunk, no lock ref.
        expect(git(fixture.originBare, 'rev-parse', `refs/heads/${fixture.trunk}`)).toBe(git(clones[winner], 'rev-parse', fixture.trunk));
        expect(git(fixture.originBare, 'for-each-ref', '--format=%(refname)', remoteLockRef(fixture.trunk))).toBe('');
        expect(git(fixture.originBare, 'rev-parse', `refs/heads/${fixture.mirror}`)).toBe(git(fixture.upstreamBare, 'rev-parse', fixture.upstreamBranch));
        // The loser's clone is as it was: trunk not moved.
        expect(git(clones[loser], 'rev-parse', fixture.trunk)).toBe(before[loser]);
        expect(existsSync(join(clones[loser], '.scratch', 'locks', 'rebase-daily.lock'))).toBe(false);
      } finally {
        fixture.cleanup();
      }
    }
  }, 600_000);
});

describe('status, doctor and unlock with a remote lock held by another host', () => {
  it('status and doctor name the holder; unlock leaves it on the remote', async () => {
    const fixture = createForkFixture();
    try {
      const config = writeFixtureConfig(fixture, { lock: { remote: true } });
      const other = fixture.otherClone('host-b');
      git(other, 'checkout', '-q', '-b', fixture.trunk, `origin/${fixture.trunk}`);
      const held = await acquireRemoteLock(run, { repo: other, remote: 'origin', trunk: fixture.trunk, meta: { host: 'ci-runner-7', pid: 99, runId: 'run-on-ci', startedAt: new Date().toISOString() }, staleAfterHours: 6, forceStale: false, timeoutMs: 30_000 });
      expect(held.acquired).toBe(true);
      const status = await cli(['status', '--config', config]);
      expect(status.stdout).toMatch(/remote lock: refs\/rebase-daily\/lock\/\S+ on origin held by run run-on-ci on host ci-runner-7 \(pid 99/);
      const json = await cli(['status', '--config', config, '--json']);
      expect(json.json.data.remoteLock).toMatchObject({ held: true, holder: { host: 'ci-runner-7', runId: 'run-on-ci' } });
      const doctor = await cli(['doctor', '--config', config, '--json']);
      expect(doctor.json.data.checks.find((c: { name: string }) => c.name === 'remote lock')).toMatchObject({ status: 'warn' });
      await cli(['unlock', '--config', config]);
      expect(git(fixture.originBare, 'rev-parse', remoteLockRef(fixture.trunk))).toBe(held.info.sha);
      // A daily run meets it: exit 15 naming host and run; the lock stays the other host's.
      const day = await cli(['daily', '--config', config]);
      expect(day.code).toBe(15);
      expect(day.stderr + day.stdout).toMatch(/held by run run-on-ci on host ci-runner-7/);
      expect(git(fixture.originBare, 'rev-parse', remoteLockRef(fixture.trunk))).toBe(held.info.sha);
    } finally {
      fixture.cleanup();
    }
  }, 120_000);
});
