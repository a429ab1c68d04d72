import { afterEach, describe, expect, it } from 'vitest';
import { createForkFixture, git, type ForkFixture } from '@rebase-daily/core/testing';
import { applyStage } from '../stages/apply-stage.js';
import { verifyQueue } from './index.js';
import { readPatchQueue } from './patch-queue.js';
import { makeStageContext } from '../testing/stage-context.js';
import { verifyStage } from '../stages/verify-stage.js';
import { run } from '@rebase-daily/core';

const fixtures: ForkFixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup();
});

/** Commit on the trunk (checked out in the clone) a change of the gitlink `sub` only: a submodule bump. */
function bumpSubmodule(f: ForkFixture, to: string): string {
  git(f.clone, 'update-index', '--add', '--cacheinfo', `160000,${to},sub`);
  git(f.clone, 'commit', '-q', '-m', 'fork: bump sub');
  git(f.clone, 'push', '-q', 'origin', f.trunk);
  return git(f.clone, 'rev-parse', 'HEAD');
}

/**
 * Two walks of the queue used to exist: the report's (`git log --cherry-mark` with the user's diff
 * config) and verify's (config pinned). Under `diff.ignoreSubmodules=all` a submodule bump has an
 * empty patch, whose patch-id equals an empty upstream commit's, so the report called it "already
 * upstream" while verify and rebase replayed it. One walk now: they agree, and git confirms it.
 */
describe('readPatchQueue: the report queue is the queue verify proves and apply replays', () => {
  it.each(['memory', 'worktree'] as const)('diff.ignoreSubmodules=all, a submodule bump and an empty upstream commit (%s engine)', async (engine) => {
    const f = createForkFixture({ upstreamCommits: [{ files: {}, message: 'upstream: empty commit' }] });
    fixtures.push(f);
    const bump = bumpSubmodule(f, git(f.clone, 'rev-parse', `upstream/${f.upstreamBranch}`));
    git(f.clone, 'config', 'diff.ignoreSubmodules', 'all');
    const ctx = makeStageContext(f, { engine });
    const upstream = git(f.clone, 'rev-parse', `upstream/${f.upstreamBranch}`);

    const pq = await readPatchQueue(run, f.clone, upstream, bump);
    expect(pq.queue.map((p) => p.subject)).toEqual(['fork: add notes', 'fork: bump sub']);
    expect(pq.dropped).toEqual([]);
    const verdict = await verifyQueue(run, f.clone, { upstream, trunk: bump });
    expect(verdict).toMatchObject({ ok: true, queueLength: pq.queue.length, alreadyUpstream: [] });

    const v = await verifyStage(ctx);
    expect(v.status, v.summary).toBe('ok');
    expect(v.data?.queue).toEqual(pq.queue);
    expect(v.data?.dropped).toEqual([]);
    ctx.setPin(v.pin!);
    const a = await applyStage(ctx);
    expect(a.status, a.summary).toBe('ok');
    // Git's own account of what was replayed: the report's queue, in order.
    const replayed = git(f.clone, 'log', '--reverse', '--format=%s', `${upstream}..refs/heads/${f.trunk}`).split('\n');
    expect(replayed).toEqual(pq.queue.map((p) => p.subject));
    expect(git(f.clone, 'ls-tree', `refs/heads/${f.trunk}`, 'sub')).toContain(`160000 commit ${upstream}`);
  });

  it('keeps a trunk commit that is empty from the start even when upstream has an empty commit too (rebase keeps it)', async () => {
    const f = createForkFixture({
      patches: [{ files: {}, message: 'fork: empty marker' }],
      upstreamCommits: [{ files: {}, message: 'upstream: empty commit' }],
    });
    fixtures.push(f);
    const upstream = git(f.clone, 'rev-parse', `upstream/${f.upstreamBranch}`);
    const trunk = git(f.clone, 'rev-parse', f.trunk);
    const pq = await readPatchQueue(run, f.clone, upstream, trunk);
    expect(pq.queue.map((p) => p.subject)).toEqual(['fork: empty marker']);
    expect(pq.dropped).toEqual([]);
    // What git rebase itself does with it.
    git(f.clone, 'rebase', '-q', upstream);
    expect(git(f.clone, 'log', '--format=%s', `${upstream}..HEAD`)).toBe('fork: empty marker');
  });
});
