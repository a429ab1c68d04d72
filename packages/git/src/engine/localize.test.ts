import { run } from '@rebase-daily/core';
import { createForkFixture, type ForkFixture, git } from '@rebase-daily/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { bisect, localizeConflict } from './localize.js';

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

describe('bisect (pure): the newest clean index and the first breaking one, in at most ⌈log2 n⌉ probes', () => {
  const failureAt = (index: number) => ({ ok: false as const, onto: `u${index}`, commit: `p@${index}`, subject: 'patch', failedIndex: 0, files: [`f${index}`], conflicts: [], merges: 0, commits: [], alreadyUpstream: [] });
  // The queue replays onto upstream commits 0..breaksAt-1 and breaks from breaksAt on (-1 stands for the base).
  it.each([
    { n: 1, breaksAt: 0, lastClean: -1, probes: 0 },
    { n: 2, breaksAt: 0, lastClean: -1, probes: 1 },
    { n: 2, breaksAt: 1, lastClean: 0, probes: 1 },
    { n: 9, breaksAt: 0, lastClean: -1, probes: 3 },
    { n: 9, breaksAt: 3, lastClean: 2, probes: 3 },
    { n: 9, breaksAt: 8, lastClean: 7, probes: 4 },
    { n: 1000, breaksAt: 617, lastClean: 616, probes: 10 },
  ])('n=$n breaking from $breaksAt: last clean $lastClean, $probes probes', async ({ n, breaksAt, lastClean, probes }) => {
    const asked: number[] = [];
    const probe = async (index: number) => {
      asked.push(index);
      return index >= breaksAt ? failureAt(index) : { ok: true as const, onto: `u${index}`, newTip: '', newTree: '', commits: [], alreadyUpstream: [] };
    };
    const r = await bisect(probe, n, failureAt(n - 1) as never);
    expect(r).toMatchObject({ lastClean, firstBreaking: breaksAt, failure: { commit: `p@${breaksAt}`, files: [`f${breaksAt}`] } });
    expect(asked).toHaveLength(probes);
    expect(probes).toBeLessThanOrEqual(Math.ceil(Math.log2(n)));
    expect(asked.every((i) => i >= 0 && i < n - 1)).toBe(true);
  });
});
