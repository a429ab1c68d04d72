import { run } from '@rebase-daily/core';
import { createForkFixture, type ForkFixture, git } from '@rebase-daily/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { localizeConflict } from './localize.js';

const env = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
let fixture: ForkFixture | undefined;
afterEach(() => fixture?.cleanup());

const lib = (first: string, last = 'line 10') => `${first}\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\n${last}\n`;

describe('localizeConflict', () => {
  it('finds the last clean and first breaking upstream commits, the patch, files and related commits', async () => {
    const upstreamCommits = Array.from({ length: 9 }, (_, i) => ({ files: { [`up/${i}.txt`]: `${i}\n` }, message: `upstream: change ${i}` }));
    upstreamCommits[2] = { files: { 'src/lib.txt': lib('line 1', 'line 10 upstream') }, message: 'upstream: touch the end of lib' };
    upstreamCommits[6] = { files: { 'src/lib.txt': lib('line 1 upstream', 'line 10 upstream') }, message: 'upstream: rewrite line 1' };
    fixture = createForkFixture({
      base: { 'README.md': 'project\n', 'src/lib.txt': lib('line 1') },
      patches: [
        { files: { 'FORK.md': 'notes\n' }, message: 'fork: notes' },
        { files: { 'src/lib.txt': lib('line 1 fork') }, message: 'fork: line 1' },
        { files: { 'FORK.md': 'notes 2\n' }, message: 'fork: more notes' },
      ],
      upstreamCommits,
    });
    const repo = fixture.clone;
    const trunk = git(repo, 'rev-parse', 'HEAD');
    const result = await localizeConflict(run, repo, { trunk, target: 'upstream/main', env });
    expect(result).toMatchObject({
      clean: false,
      upstreamCount: 9,
      lastClean: { index: 5, subject: 'upstream: change 5' },
      firstBreaking: { index: 6, subject: 'upstream: rewrite line 1' },
      patch: { sha: git(repo, 'rev-parse', 'HEAD~1'), subject: 'fork: line 1', index: 1 },
      files: ['src/lib.txt'],
    });
    expect(result.touching?.map((c) => c.subject)).toEqual(['upstream: rewrite line 1', 'upstream: touch the end of lib']);
    expect(result.replays).toBeLessThanOrEqual(Math.ceil(Math.log2(9)) + 1);
  });

  it('reports a clean queue as clean after one replay', async () => {
    fixture = createForkFixture({ upstreamCommits: [{ files: { 'UP.md': 'up\n' }, message: 'upstream: add' }] });
    const repo = fixture.clone;
    const result = await localizeConflict(run, repo, { trunk: 'HEAD', target: 'upstream/main', env });
    expect(result).toMatchObject({ clean: true, upstreamCount: 1, replays: 1 });
  });

  it('blames the first upstream commit when the queue breaks right away', async () => {
    fixture = createForkFixture({
      patches: [{ files: { 'src/lib.txt': 'fork\n' }, message: 'fork: rewrite lib' }],
      upstreamCommits: [
        { files: { 'src/lib.txt': 'upstream\n' }, message: 'upstream: rewrite lib' },
        { files: { 'UP.md': 'up\n' }, message: 'upstream: add' },
      ],
    });
    const repo = fixture.clone;
    const result = await localizeConflict(run, repo, { trunk: 'HEAD', target: 'upstream/main', env });
    expect(result).toMatchObject({ clean: false, lastClean: { index: -1 }, firstBreaking: { index: 0, subject: 'upstream: rewrite lib' }, files: ['src/lib.txt'] });
  });
});
