import { moveBranch, run } from '@rebase-daily/core';
import { commitFiles, createForkFixture, type ForkFixture, git } from '@rebase-daily/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { listQueue } from './queue.js';
import { replayQueue } from './replay.js';
import { withTemporaryObjectDir } from './object-dir.js';
import { worktreeReplay } from './worktree-replay.js';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const env = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_COMMITTER_NAME: 'Replay Bot', GIT_COMMITTER_EMAIL: 'bot@example.com' };
let fixture: ForkFixture | undefined;
afterEach(() => fixture?.cleanup());

function loose(repo: string): number {
  const dir = join(repo, '.git', 'objects');
  return readdirSync(dir).filter((d) => /^[0-9a-f]{2}$/.test(d)).reduce((n, d) => n + readdirSync(join(dir, d)).length, 0);
}

describe('replayQueue', () => {
  it('replays a clean queue like rebase, keeping authors and messages, leaving no objects behind', async () => {
    fixture = createForkFixture({
      patches: [
        { files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes\n\nbody line\n' },
        { files: { 'src/lib.txt': 'line 1\nline 2 fork\nline 3\n' }, message: 'fork: change line 2' },
      ],
      upstreamCommits: [{ files: { 'README.md': 'upstream project, new\n' }, message: 'upstream: readme' }],
    });
    const repo = fixture.clone;
    const upstream = git(repo, 'rev-parse', 'upstream/main');
    const trunk = git(repo, 'rev-parse', 'HEAD');
    const before = loose(repo);
    const result = await withTemporaryObjectDir(run, repo, async (objectDir, e) => {
      const queue = await listQueue(run, repo, upstream, trunk, { env: e });
      expect(queue.commits.map((c) => c.message)).toEqual(['fork: add notes\n\nbody line\n', 'fork: change line 2\n']);
      return replayQueue(run, repo, { onto: upstream, commits: queue.commits, objectDir, env: { ...e, ...env } });
    }, { env });
    expect(result.ok).toBe(true);
    expect(loose(repo)).toBe(before);
    const reference = await worktreeReplay(run, repo, { onto: upstream, trunk, env });
    expect(reference.ok).toBe(true);
    if (!result.ok || !reference.ok) throw new Error('both replays must be clean (asserted above)');
    expect(result.newTree).toBe(reference.newTree);
    expect(git(repo, 'worktree', 'list').split('\n')).toHaveLength(1);
  });

  it('stops at the conflicting commit with its files, as rebase does', async () => {
    fixture = createForkFixture({
      patches: [
        { files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes' },
        { files: { 'src/lib.txt': 'line 1 fork\nline 2\nline 3\n' }, message: 'fork: change line 1' },
      ],
      upstreamCommits: [{ files: { 'src/lib.txt': 'line 1 up\nline 2\nline 3\n' }, message: 'upstream: change line 1' }],
    });
    const repo = fixture.clone;
    const upstream = git(repo, 'rev-parse', 'upstream/main');
    const trunk = git(repo, 'rev-parse', 'HEAD');
    const queue = await listQueue(run, repo, upstream, trunk, { env });
    const result = await replayQueue(run, repo, { onto: upstream, commits: queue.commits, env });
    expect(result).toMatchObject({ ok: false, failedIndex: 1, commit: trunk, files: ['src/lib.txt'] });
    const reference = await worktreeReplay(run, repo, { onto: upstream, trunk, env });
    expect(reference).toMatchObject({ ok: false, commit: trunk, files: ['src/lib.txt'] });
  });

  it('moves the trunk with a compare-and-swap update only while it still points at the old tip', async () => {
    fixture = createForkFixture({ upstreamCommits: [{ files: { 'UP.md': 'up\n' }, message: 'upstream: add' }] });
    const repo = fixture.clone;
    git(repo, 'checkout', '-q', '--detach');
    const upstream = git(repo, 'rev-parse', 'upstream/main');
    const trunk = git(repo, 'rev-parse', fixture.trunk);
    const queue = await listQueue(run, repo, upstream, trunk, { env });
    const result = await replayQueue(run, repo, { onto: upstream, commits: queue.commits, env });
    if (!result.ok) throw new Error('expected clean');
    // The trunk moves only through core's moveBranch (the one compare-and-swap ref writer).
    const move = (from: string) => moveBranch(run, repo, { branch: fixture!.trunk, from, to: result.newTip, reason: 'test: replay' });
    expect((await move(upstream)).ok).toBe(false);
    expect((await move(trunk)).ok).toBe(true);
    expect(git(repo, 'rev-parse', fixture.trunk)).toBe(result.newTip);
    expect(git(repo, 'log', '--format=%an|%s', '-1', fixture.trunk)).toBe('Fixture Author|fork: add notes');
    expect(git(repo, 'fsck', '--no-dangling')).toBe('');
    expect(existsSync(join(repo, '.git'))).toBe(true);
    void commitFiles;
  });
});
