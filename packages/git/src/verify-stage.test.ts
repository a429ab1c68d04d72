import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createForkFixture, git, type ForkFixture } from '@rebase-daily/core/testing';
import { makeStageContext, shasNow } from './testing/stage-context.js';
import { verifyStage } from './verify-stage.js';

const fixtures: ForkFixture[] = [];
const fixture = (opts: Parameters<typeof createForkFixture>[0]) => {
  const f = createForkFixture(opts);
  fixtures.push(f);
  return f;
};
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup();
});

const lib = (line2: string) => `line 1\n${line2}\nline 3\n`;
const tempBranches = (repo: string) => git(repo, 'for-each-ref', '--format=%(refname)', 'refs/heads/rebase-daily/');
const worktrees = (repo: string) => git(repo, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length;

describe('verifyStage', () => {
  it('reports an up-to-date trunk without creating anything', async () => {
    const f = fixture({});
    const ctx = makeStageContext(f);
    const before = shasNow(f);
    const r = await verifyStage(ctx);
    expect(r.status).toBe('ok');
    expect(r.data?.upToDate).toBe(true);
    expect(r.pin).toMatchObject({ upstream: before.upstream, trunk: before.trunk, forkTrunk: before.forkTrunk, clean: true });
    expect(r.data?.queue).toHaveLength(1);
    expect(r.data?.upstreamDelta).toMatchObject({ count: 0 });
    expect(shasNow(f)).toEqual(before);
  });

  it('proves a clean replay on a temporary branch and moves no real ref', async () => {
    const f = fixture({
      patches: [
        { files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes' },
        { files: { 'docs/up.md': 'same change\n' }, message: 'fork: cherry-pick of an upstream fix' },
      ],
      upstreamCommits: [
        { files: { 'docs/up.md': 'same change\n' }, message: 'upstream: the fix' },
        { files: { 'NEW.md': 'new\n' }, message: 'upstream: new file' },
      ],
    });
    const ctx = makeStageContext(f);
    const before = shasNow(f);
    const r = await verifyStage(ctx);
    expect(r.status, r.summary).toBe('ok');
    expect(r.outcome).toBeUndefined();
    expect(r.pin).toMatchObject({ upstream: before.upstream, trunk: before.trunk, mirror: before.mirror, forkMirror: before.forkMirror, clean: true, runId: ctx.state.runId });
    expect((r.data?.queue as { subject: string }[]).map((p) => p.subject)).toEqual(['fork: add notes']);
    expect((r.data?.dropped as { subject: string }[]).map((p) => p.subject)).toEqual(['fork: cherry-pick of an upstream fix']);
    expect(r.data?.upstreamDelta).toEqual({ count: 2, range: `${git(f.clone, 'merge-base', before.upstream!, before.trunk!)}..${before.upstream}` });
    expect(r.data?.upToDate).toBe(false);
    expect(shasNow(f)).toEqual(before);
    expect(tempBranches(f.clone)).toBe('');
    expect(worktrees(f.clone)).toBe(1);
    expect(existsSync(r.data?.worktree as string)).toBe(false);
    expect(ctx.temporaries).toEqual([]);
    expect(git(f.clone, 'status', '--porcelain', '--untracked-files=all')).toBe('');
    // The worktree and branch were really made and the rebase really ran.
    const argvs = ctx.commandLog.entries.map((e) => e.argv.join(' '));
    expect(argvs.some((a) => a.startsWith('git worktree add --quiet -b rebase-daily/verify-'))).toBe(true);
    expect(argvs).toContain(`git rebase --no-update-refs --no-autosquash --no-autostash ${before.upstream}`);
  });

  it('reports the failing patch, its position, the files and reproduce commands on conflict; nothing moves', async () => {
    const f = fixture({
      patches: [
        { files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes' },
        { files: { 'src/lib.txt': lib('fork line 2') }, message: 'fork: change line 2' },
        { files: { 'FORK2.md': 'more\n' }, message: 'fork: more notes' },
      ],
      upstreamCommits: [{ files: { 'src/lib.txt': lib('upstream line 2') }, message: 'upstream: change line 2' }],
    });
    const ctx = makeStageContext(f);
    const before = shasNow(f);
    const failing = git(f.clone, 'rev-parse', `${f.trunk}~1`);
    const r = await verifyStage(ctx);
    expect(r.status).toBe('failed');
    expect(r.outcome).toBe('verify-conflict');
    expect(r.conflict).toMatchObject({
      stage: 'verify',
      patch: { sha: failing, subject: 'fork: change line 2' },
      position: 2,
      queueLength: 3,
      files: ['src/lib.txt'],
    });
    expect(r.pin?.clean).toBe(false);
    expect(r.summary).toContain('patch 2/3');
    expect(shasNow(f)).toEqual(before);
    expect(tempBranches(f.clone)).toBe('');
    expect(worktrees(f.clone)).toBe(1);
    expect(ctx.temporaries).toEqual([]);
    expect(git(f.clone, 'status', '--porcelain', '--untracked-files=all')).toBe('');
    expect(git(f.clone, 'symbolic-ref', '--short', 'HEAD')).toBe(f.trunk);

    // A human running the reproduce lines gets the same conflict, and the cleanup line removes it.
    const lines = r.conflict!.reproduce;
    const script = `set -u\n${lines.slice(0, 3).join('\n')}\necho "rc=$?"\ngit diff --name-only --diff-filter=U\n${lines[4]}\n`;
    const out = execFileSync('bash', ['-c', script], { cwd: f.root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toContain('rc=1');
    expect(out).toContain('src/lib.txt');
    expect(worktrees(f.clone)).toBe(1);
    expect(shasNow(f)).toEqual(before);
  });
});
