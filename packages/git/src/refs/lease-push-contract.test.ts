import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandLog, boundRunner } from '@rebase-daily/core';
import { commitFiles, createForkFixture, git, type ForkFixture } from '@rebase-daily/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { atomicLeasePush, leaseArg, leasePush, leaseRecord } from './lease-push.js';
import '../testing/stage-context.js'; // keeps the seam's git off the machine's global config

// leasePush against a real bare remote: the push happens only when the remote branch is exactly the
// expected SHA (or absent, for null); otherwise nothing on the remote changes and the result says
// what is there instead.
const fixtures: ForkFixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup();
});

function setup() {
  const f = createForkFixture();
  fixtures.push(f);
  const log = new CommandLog();
  const run = boundRunner(log);
  const remoteTip = git(f.originBare, 'rev-parse', `refs/heads/${f.trunk}`);
  const next = commitFiles(f.clone, { 'NEXT.md': 'next\n' }, 'fork: next');
  const remoteRef = (branch: string) => {
    try {
      return git(f.originBare, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`);
    } catch {
      return null;
    }
  };
  return { f, log, run, remoteTip, next, remoteRef };
}

describe('leaseArg', () => {
  it.each([
    ['fork/trunk', 'a'.repeat(40), `--force-with-lease=refs/heads/fork/trunk:${'a'.repeat(40)}`],
    ['main', null, '--force-with-lease=refs/heads/main:'],
  ])('%s expecting %s → %s', (branch, sha, arg) => {
    expect(leaseArg(branch, sha)).toBe(arg);
  });
});

describe('leasePush on a real remote', () => {
  it('pushes when the remote is at the expected SHA: one exact command, no look at the remote after', async () => {
    const { f, log, run, remoteTip, next, remoteRef } = setup();
    const r = await leasePush(run, f.clone, 'origin', f.trunk, next, remoteTip, { timeoutMs: 30_000 });
    expect(r).toMatchObject({ ok: true, ref: `refs/heads/${f.trunk}`, remote: 'origin', expected: remoteTip, newSha: next, outcome: { kind: 'pushed' } });
    expect(r.actual).toBeUndefined();
    expect(r.command).toBe(`git push --porcelain --force-with-lease=refs/heads/${f.trunk}:${remoteTip} origin ${next}:refs/heads/${f.trunk}`);
    expect(r.result.exitCode).toBe(0);
    expect(log.entries.map((e) => e.argv.join(' '))).toEqual([`git push --porcelain --force-with-lease=refs/heads/${f.trunk}:${remoteTip} origin ${next}:refs/heads/${f.trunk}`]);
    expect(remoteRef(f.trunk)).toBe(next);
  });

  it('refuses when the remote moved: nothing overwritten, the actual SHA read back, stale-info', async () => {
    const { f, run, remoteTip, next, remoteRef } = setup();
    const other = f.otherClone();
    git(other, 'checkout', '-q', '-B', f.trunk, `origin/${f.trunk}`);
    const theirs = commitFiles(other, { 'THEIRS.md': 'theirs\n' }, 'someone else');
    git(other, 'push', '-q', 'origin', `HEAD:refs/heads/${f.trunk}`);
    const r = await leasePush(run, f.clone, 'origin', f.trunk, next, remoteTip);
    expect(r).toMatchObject({ ok: false, expected: remoteTip, actual: theirs, outcome: { kind: 'stale-info' } });
    expect(remoteRef(f.trunk)).toBe(theirs);
    expect(leaseRecord(r)).toEqual({ ref: `refs/heads/${f.trunk}`, remote: 'origin', expected: remoteTip, actual: theirs, reason: `stale-info: ${r.outcome.detail}`, attempted: true });
    expect(r.outcome.detail).toBe('stale info');
  });

  it('expecting absence (null): creates a missing branch, refuses an existing one', async () => {
    const { f, run, remoteTip, next, remoteRef } = setup();
    const created = await leasePush(run, f.clone, 'origin', 'fresh', next, null);
    expect(created).toMatchObject({ ok: true, expected: null, outcome: { kind: 'pushed' } });
    expect(created.command).toContain('--force-with-lease=refs/heads/fresh: ');
    expect(remoteRef('fresh')).toBe(next);
    const refused = await leasePush(run, f.clone, 'origin', f.trunk, next, null);
    expect(refused).toMatchObject({ ok: false, expected: null, actual: remoteTip, outcome: { kind: 'stale-info' } });
    expect(remoteRef(f.trunk)).toBe(remoteTip);
  });

  it('a remote hook that refuses: remote-rejected with what the remote said, the actual SHA unchanged', async () => {
    const { f, run, remoteTip, next, remoteRef } = setup();
    const hook = join(f.originBare, 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\necho "frozen today" >&2\nexit 1\n');
    chmodSync(hook, 0o755);
    const r = await leasePush(run, f.clone, 'origin', f.trunk, next, remoteTip);
    expect(r).toMatchObject({ ok: false, actual: remoteTip, outcome: { kind: 'remote-rejected' } });
    expect(r.outcome.detail).toMatch(/pre-receive hook declined: frozen today/);
    expect(leaseRecord(r).reason).toBe(`remote-rejected: ${r.outcome.detail}`);
    expect(remoteRef(f.trunk)).toBe(remoteTip);
  });

  it('a remote branch that is gone reads back as null (absent), not unknown', async () => {
    const { f, run, remoteTip, next } = setup();
    git(f.originBare, 'update-ref', '-d', `refs/heads/${f.trunk}`);
    const r = await leasePush(run, f.clone, 'origin', f.trunk, next, remoteTip);
    expect(r).toMatchObject({ ok: false, actual: null });
    expect(leaseRecord(r).actual).toBeNull();
  });

  it('leaseRecord of an outcome without detail is the kind alone; an unknown actual is null', () => {
    const push = { ref: 'refs/heads/t', remote: 'origin', expected: 'e', newSha: 'n', ok: false, command: '', result: {} as never, outcome: { kind: 'timeout' as const, detail: '', line: null } };
    expect(leaseRecord(push)).toEqual({ ref: 'refs/heads/t', remote: 'origin', expected: 'e', actual: null, reason: 'timeout', attempted: true });
  });
});

describe('atomicLeasePush on a real remote: every ref with its own lease, all or none', () => {
  // Two refs: the trunk (lease on the remote tip) and a new branch (lease: must be absent).
  function two() {
    const s = setup();
    const updates = [
      { branch: s.f.trunk, newSha: s.next, expected: s.remoteTip },
      { branch: 'fresh', newSha: s.next, expected: null },
    ];
    const command = `git push --porcelain --atomic --force-with-lease=refs/heads/${s.f.trunk}:${s.remoteTip} --force-with-lease=refs/heads/fresh: origin ${s.next}:refs/heads/${s.f.trunk} ${s.next}:refs/heads/fresh`;
    return { ...s, updates, command };
  }

  it('both leases hold: both refs move, one exact command, no look at the remote after', async () => {
    const { f, log, run, next, remoteRef, updates, command } = two();
    const r = await atomicLeasePush(run, f.clone, 'origin', updates, { timeoutMs: 30_000 });
    expect(r).toMatchObject({ ok: true, atomicUnsupported: false, command });
    expect(r.result.exitCode).toBe(0);
    expect(r.refs.map((x) => [x.branch, x.newSha, x.expected, x.outcome.kind, x.actual])).toEqual([
      [f.trunk, next, updates[0].expected, 'pushed', undefined],
      ['fresh', next, null, 'pushed', undefined],
    ]);
    expect(log.entries.map((e) => e.argv.join(' '))).toEqual([command]);
    expect([remoteRef(f.trunk), remoteRef('fresh')]).toEqual([next, next]);
  });

  it('one lease stale: neither ref moves; each ref says why and what the remote has', async () => {
    const { f, run, remoteTip, remoteRef, updates } = two();
    const other = f.otherClone();
    git(other, 'checkout', '-q', '-B', f.trunk, `origin/${f.trunk}`);
    const theirs = commitFiles(other, { 'THEIRS.md': 'theirs\n' }, 'someone else');
    git(other, 'push', '-q', 'origin', `HEAD:refs/heads/${f.trunk}`);
    const r = await atomicLeasePush(run, f.clone, 'origin', updates);
    expect(r).toMatchObject({ ok: false, atomicUnsupported: false });
    expect(r.refs.map((x) => [x.branch, x.outcome.kind, x.actual])).toEqual([
      [f.trunk, 'stale-info', theirs],
      ['fresh', 'atomic-failed', null],
    ]);
    expect([remoteRef(f.trunk), remoteRef('fresh')]).toEqual([theirs, null]);
    expect(remoteTip).not.toBe(theirs);
  });

  it('a remote that does not advertise --atomic: nothing sent, every ref atomic-unsupported', async () => {
    const { f, run, remoteTip, remoteRef, updates } = two();
    git(f.originBare, 'config', 'receive.advertiseAtomic', 'false');
    const r = await atomicLeasePush(run, f.clone, 'origin', updates);
    expect(r).toMatchObject({ ok: false, atomicUnsupported: true });
    expect(r.refs.map((x) => [x.branch, x.outcome.kind, x.actual])).toEqual([
      [f.trunk, 'atomic-unsupported', remoteTip],
      ['fresh', 'atomic-unsupported', null],
    ]);
    expect([remoteRef(f.trunk), remoteRef('fresh')]).toEqual([remoteTip, null]);
  });

  it('no ref to push is refused before git runs (with no refspec git would push what push.default picks, without a lease)', async () => {
    const { f, run, remoteTip, remoteRef } = two();
    await expect(atomicLeasePush(run, f.clone, 'origin', [])).rejects.toMatchObject({ code: 'E_INTERNAL', message: expect.stringMatching(/no ref to push/) });
    expect([remoteRef(f.trunk), remoteRef('fresh')]).toEqual([remoteTip, null]);
  });
});
