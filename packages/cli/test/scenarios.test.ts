import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '@rebase-daily/core/testing';
import { cli, day, type Day } from './helpers.js';

// The plan's scenarios 1–6, end to end through the CLI on real git repos with bare remotes.
let d: Day | undefined;
afterEach(() => d?.fixture.cleanup());

const upstreamEdits: { files: Record<string, string | null>; message: string }[] = [
  { files: { 'UPSTREAM.md': 'new upstream file\n' }, message: 'upstream: add file' },
  { files: { 'src/lib.txt': 'line 1\nline 2\nline 3\nline 4 from upstream\n' }, message: 'upstream: extend lib' },
];

describe('scenario 1: no-op day', () => {
  it('verifies, applies nothing harmful, reports no-change, exit 0', async () => {
    d = day();
    const before = d.refs();
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ command: 'daily', ok: true, exitCode: 0, outcome: 'no-change' });
    expect(d.refs()).toEqual(before);
    const report = d.report();
    expect(report.outcome).toBe('no-change');
    expect(report.stages.map((s: any) => [s.name, s.status])).toEqual([
      ['verify', 'ok'],
      ['apply', 'ok'],
      ['align', 'not-configured'],
      ['validate', 'not-configured'],
      ['publish', 'ok'],
      ['report', 'ok'],
    ]);
    expect(d.clean()).toBe(true);
  });
});

describe('scenario 2: clean rebase day', () => {
  it('rebases the trunk onto upstream, fast-forwards the mirror, pushes both with lease', async () => {
    d = day({ upstreamCommits: upstreamEdits });
    const before = d.refs();
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(r.json.outcome).toBe('success');
    const after = d.refs();
    expect(after.mirror).toBe(before.upstream);
    expect(after.originMirror).toBe(before.upstream);
    expect(after.originTrunk).toBe(after.trunk);
    expect(git(d.fixture.clone, 'merge-base', '--is-ancestor', before.upstream, after.trunk)).toBe('');
    expect(git(d.fixture.clone, 'log', '--format=%s', `${before.upstream}..${after.trunk}`)).toBe('fork: add notes');
    const report = d.report();
    expect(report.shas.before.trunk).toBe(before.trunk);
    expect(report.shas.after.trunk).toBe(after.trunk);
    expect(report.shas.after.forkTrunk).toBe(after.trunk);
    expect(report.lock.override).toBe(false);
    expect(d.clean()).toBe(true);
    expect(d.head()).toBe(d.fixture.trunk);
  });
});

describe('scenario 3: conflict in verify', () => {
  it('exits 10, moves no branch tip, names the patch and the files', async () => {
    d = day({
      patches: [
        { files: { 'FORK.md': 'notes\n' }, message: 'fork: notes' },
        { files: { 'src/lib.txt': 'line 1\nFORK line 2\nline 3\n' }, message: 'fork: change line 2' },
      ],
      upstreamCommits: [{ files: { 'src/lib.txt': 'line 1\nUPSTREAM line 2\nline 3\n' }, message: 'upstream: change line 2' }],
    });
    const before = d.refs();
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.code).toBe(10);
    expect(r.json.outcome).toBe('verify-conflict');
    expect(d.refs()).toEqual(before);
    const report = d.report();
    expect(report.conflict.patch.subject).toBe('fork: change line 2');
    expect(report.conflict.position).toBe(2);
    expect(report.conflict.files).toEqual(['src/lib.txt']);
    expect(report.conflict.reproduce.length).toBeGreaterThan(0);
    expect(report.stages.find((s: any) => s.name === 'apply').status).toBe('skipped');
    expect(git(d.fixture.clone, 'worktree', 'list')).not.toMatch(/verify/);
    expect(git(d.fixture.clone, 'branch', '--list', 'rebase-daily/*')).toBe('');
    expect(d.clean()).toBe(true);
  });
});

describe('scenario 4: conflict during apply', () => {
  it('aborts, restores the trunk and the starting branch, exits 11 with reproduce commands', async () => {
    d = day({
      patches: [{ files: { 'src/lib.txt': 'line 1\nFORK line 2\nline 3\n' }, message: 'fork: change line 2' }],
      upstreamCommits: [{ files: { 'src/lib.txt': 'line 1\nUPSTREAM line 2\nline 3\n' }, message: 'upstream: change line 2' }],
    });
    git(d.fixture.clone, 'checkout', '-q', d.fixture.mirror);
    const before = d.refs();
    // apply run on its own trusts the last clean verify; plant one that (wrongly) says clean, as a
    // verify made by a different engine or a stale pin would.
    const scratch = join(d.fixture.clone, '.scratch', 'rebase-daily');
    mkdirSync(scratch, { recursive: true });
    writeFileSync(
      join(scratch, 'last-verify.json'),
      JSON.stringify({ upstream: before.upstream, trunk: before.trunk, forkTrunk: before.originTrunk, mirror: before.mirror, forkMirror: before.originMirror, verifiedAt: new Date().toISOString(), runId: 'planted', clean: true }),
    );
    const r = await cli(['apply', '--config', d.configPath, '--json']);
    expect(r.code).toBe(11);
    expect(r.json.outcome).toBe('apply-conflict');
    expect(d.refs().trunk).toBe(before.trunk);
    expect(d.refs().originTrunk).toBe(before.originTrunk);
    expect(d.head()).toBe(d.fixture.mirror);
    expect(d.clean()).toBe(true);
    const report = d.report();
    expect(report.conflict.files).toEqual(['src/lib.txt']);
    expect(report.conflict.reproduce.join('\n')).toMatch(/rebase/);
  });
});

describe('scenario 5: lease failure', () => {
  it('stops with exit 12 when the fork trunk moves under us, and never overwrites it', async () => {
    d = day({ upstreamCommits: upstreamEdits });
    const other = d.fixture.otherClone();
    git(other, 'checkout', '-q', d.fixture.trunk);
    writeFileSync(join(other, 'SOMEONE.md'), 'pushed by someone else\n');
    git(other, 'add', 'SOMEONE.md');
    git(other, 'commit', '-q', '-m', 'someone: concurrent push');
    // A client-side pre-push hook in our clone pushes from the other clone first: the remote trunk
    // moves between our verify and our push.
    const hook = join(d.fixture.clone, '.git', 'hooks', 'pre-push');
    writeFileSync(hook, `#!/bin/sh\nif [ ! -f "${other}/.pushed" ]; then touch "${other}/.pushed"; git -C "${other}" push -q origin ${d.fixture.trunk} >/dev/null 2>&1; fi\nexit 0\n`);
    chmodSync(hook, 0o755);
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.code).toBe(12);
    expect(r.json.outcome).toBe('push-blocked');
    const someone = git(other, 'rev-parse', 'HEAD');
    expect(d.refs().originTrunk).toBe(someone);
    const report = d.report();
    expect(report.lease.ref).toBe(`refs/heads/${d.fixture.trunk}`);
    expect(report.lease.actual).toBe(someone);
    expect(report.lease.expected).not.toBe(someone);
    expect(d.clean()).toBe(true);
  });
});

describe('scenario 6: stale lock', () => {
  // A crashed run on another host (a shared scratch folder): this host cannot tell whether it is
  // alive, so only the stale rule applies. (A holder dead on this host is taken over: lock.test.ts.)
  const plantLock = (dd: Day, hoursAgo: number) => {
    const lock = join(dd.fixture.clone, '.scratch', 'locks', 'rebase-daily.lock');
    mkdirSync(lock, { recursive: true });
    writeFileSync(join(lock, 'meta.json'), JSON.stringify({ runId: 'crashed-run', pid: 999999, ownerPid: 999999, hostname: `${hostname()}-elsewhere`, startedAt: new Date(Date.now() - hoursAgo * 3600_000).toISOString(), command: 'daily', shas: {} }));
    return lock;
  };

  it('refuses a stale lock without the override; FORCE_STALE_LOCK=1 proceeds and is recorded', async () => {
    d = day();
    plantLock(d, 7);
    const refused = await cli(['daily', '--config', d.configPath, '--json']);
    expect(refused.code).toBe(15);
    expect(refused.json.outcome).toBe('lock-taken');
    expect(refused.json.errors[0].message).toMatch(/crashed-run.*runs on another host.*FORCE_STALE_LOCK=1/);
    const forced = await cli(['daily', '--config', d.configPath, '--json'], { FORCE_STALE_LOCK: '1' });
    expect(forced.code).toBe(0);
    const report = d.report();
    expect(report.lock.override).toBe(true);
    expect(existsSync(join(d.fixture.clone, '.scratch', 'locks', 'rebase-daily.lock'))).toBe(false);
  });

  it('never breaks a fresh lock, even with FORCE_STALE_LOCK=1, and does not replace the day report', async () => {
    d = day();
    const first = await cli(['daily', '--config', d.configPath, '--json']);
    expect(first.code).toBe(0);
    const dayReport = JSON.stringify(d.report());
    const lock = plantLock(d, 1);
    const r = await cli(['daily', '--config', d.configPath, '--json'], { FORCE_STALE_LOCK: '1' });
    expect(r.code).toBe(15);
    expect(JSON.parse(readFileSync(join(lock, 'meta.json'), 'utf8')).runId).toBe('crashed-run');
    expect(JSON.stringify(d.report())).toBe(dayReport);
  });
});
