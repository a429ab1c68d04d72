import { afterEach, describe, expect, it } from 'vitest';
import { boundRunner, CommandLog } from '@rebase-daily/core';
import { createForkFixture, git, type ForkFixture } from '@rebase-daily/core/testing';
import { conflictRiskForecast, parseChurn, parseQueueFiles, rankPatches } from './risk-forecast.js';

describe('parseQueueFiles', () => {
  it.each([
    ['empty', '', []],
    ['two patches', '@@aaa\tfork: one\nsrc/a.rs\nsrc/b.rs\n\n@@bbb\tfork: two\tsubject with tab\nREADME.md\n', [{ sha: 'aaa', subject: 'fork: one', files: ['src/a.rs', 'src/b.rs'] }, { sha: 'bbb', subject: 'fork: two\tsubject with tab', files: ['README.md'] }]],
    ['a patch touching no file', '@@ccc\tempty\n', [{ sha: 'ccc', subject: 'empty', files: [] }]],
  ])('%s', (_n, out, want) => expect(parseQueueFiles(out)).toEqual(want));
});

describe('parseChurn', () => {
  it.each([
    ['lines added + deleted per file, across commits', '@@c1\n\n3\t1\tsrc/a.rs\n@@c2\n\n10\t0\tsrc/a.rs\n1\t1\tdocs.md\n', { 'src/a.rs': [14, 2], 'docs.md': [2, 1] }],
    ['a binary file counts one line', '@@c1\n\n-\t-\tlogo.png\n', { 'logo.png': [1, 1] }],
    ['nothing in the window', '', {}],
  ])('%s', (_n, out, want) => {
    const got = Object.fromEntries([...parseChurn(out)].map(([f, v]) => [f, [v.churn, v.commits.size]]));
    expect(got).toEqual(want);
  });
});

describe('rankPatches', () => {
  it('ranks by churn on the touched files, then commits, then queue order', () => {
    const churn = parseChurn('@@u1\n5\t5\ta.rs\n@@u2\n1\t0\tb.rs\n@@u3\n1\t0\tc.rs\n');
    const ranked = rankPatches(
      [
        { sha: 'p1', subject: 'quiet', files: ['z.rs'] },
        { sha: 'p2', subject: 'b and c', files: ['b.rs', 'c.rs'] },
        { sha: 'p3', subject: 'hot', files: ['a.rs'] },
        { sha: 'p4', subject: 'b only', files: ['b.rs'] },
      ],
      churn,
    );
    expect(ranked.map((r) => [r.sha, r.churn, r.commits])).toEqual([
      ['p3', 10, 1],
      ['p2', 2, 2],
      ['p4', 1, 1],
      ['p1', 0, 0],
    ]);
    expect(ranked[1]!.files).toEqual([
      { file: 'b.rs', churn: 1 },
      { file: 'c.rs', churn: 1 },
    ]);
  });
});

describe('conflictRiskForecast (real git)', () => {
  let f: ForkFixture | undefined;
  afterEach(() => f?.cleanup());

  it('ranks the patch whose files upstream churned most in the last 30 days first; older churn does not count', () => {
    f = createForkFixture({
      base: { 'hot.rs': 'a\n', 'cold.rs': 'a\n', 'old.rs': 'a\n' },
      patches: [
        { files: { 'cold.rs': 'fork\n' }, message: 'fork: cold' },
        { files: { 'hot.rs': 'fork\n' }, message: 'fork: hot' },
        { files: { 'old.rs': 'fork\n' }, message: 'fork: old' },
      ],
    });
    const env = (days: number) => ({ GIT_COMMITTER_DATE: new Date(Date.now() - days * 86_400_000).toISOString() });
    const withDate = (days: number, fn: () => void) => {
      Object.assign(process.env, env(days));
      try {
        fn();
      } finally {
        delete process.env.GIT_COMMITTER_DATE;
      }
    };
    const fx = f;
    withDate(60, () => fx.advanceUpstream([{ files: { 'old.rs': 'x\n'.repeat(50) }, message: 'upstream: old churn' }]));
    withDate(10, () => fx.advanceUpstream([{ files: { 'hot.rs': 'b\nc\nd\n' }, message: 'upstream: hot 1' }]));
    withDate(3, () => fx.advanceUpstream([{ files: { 'hot.rs': 'e\n', 'cold.rs': 'b\n' }, message: 'upstream: hot 2' }]));
    git(fx.clone, 'fetch', '-q', 'upstream');
    return conflictRiskForecast(boundRunner(new CommandLog()), fx.clone, { upstream: `upstream/${fx.upstreamBranch}`, trunk: fx.trunk }).then((risk) => {
      expect(risk.map((r) => [r.subject, r.commits])).toEqual([
        ['fork: hot', 2],
        ['fork: cold', 1],
        ['fork: old', 0],
      ]);
      expect(risk[0]!.churn).toBeGreaterThan(risk[1]!.churn);
    });
  });
});
