import { afterEach, describe, expect, it } from 'vitest';
import { pruneCandidateRefs, runIdAgeDays } from './candidates.js';
import { boundRunner, CommandLog } from '../process/process.js';
import { createForkFixture, git, type ForkFixture } from '../testing/index.js';

const now = new Date('2026-11-27T12:00:00Z');

describe('runIdAgeDays', () => {
  it.each([
    ['20261127T120000Z-4242-ab12', 0],
    ['20261113T120000Z-1-aa', 14],
    ['20261101T000000Z-1-aa', 26.5],
    ['test-abc123', null],
    ['manual-2026', null],
  ])('%s → %s', (runId, days) => {
    expect(runIdAgeDays(runId, now)).toBe(days);
  });
});

describe('pruneCandidateRefs', () => {
  let f: ForkFixture | undefined;
  afterEach(() => f?.cleanup());

  it('deletes kept candidates older than 14 days and nothing else', async () => {
    f = createForkFixture();
    const sha = git(f.clone, 'rev-parse', f.trunk);
    const refs = [
      'refs/rebase-daily/candidates/20261101T000000Z-1-aa/fork/trunk',
      'refs/rebase-daily/candidates/20261101T000000Z-1-aa/main',
      'refs/rebase-daily/candidates/20261120T000000Z-2-bb/fork/trunk',
      'refs/rebase-daily/candidates/not-a-run/fork/trunk',
      'refs/rebase-daily/other/20261101T000000Z-1-aa',
      'refs/heads/20261101T000000Z-1-aa',
    ];
    for (const r of refs) git(f.clone, 'update-ref', r, sha);
    const pruned = await pruneCandidateRefs(boundRunner(new CommandLog()), f.clone, 14, now);
    expect(pruned).toHaveLength(2);
    const left = git(f.clone, 'for-each-ref', '--format=%(refname)', 'refs/rebase-daily/', 'refs/heads/20261101T000000Z-1-aa').split('\n').sort();
    expect(left).toEqual(refs.slice(2).sort());
  });
});
