import { afterEach, describe, expect, it } from 'vitest';
import { createForkFixture, git, gitSucceeds, type ForkFixture } from '@rebase-daily/core/testing';
import { applyStage } from '../stages/apply-stage.js';
import { verifyStage } from '../stages/verify-stage.js';
import { makeStageContext } from '../testing/stage-context.js';

/** conflicts.policy through both engines on real repos: prefer fork, prefer upstream, a path removed for good. */
const fixtures: ForkFixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup();
});
const doc = (line2: string, line4 = 'line 4') => `line 1\n${line2}\nline 3\n${line4}\nline 5\n`;
const fork = () => {
  const f = createForkFixture({
    base: { 'README.md': 'project\n', 'docs/guide.md': doc('line 2'), 'legacy/old.txt': 'old\n' },
    patches: [
      { files: { 'docs/guide.md': doc('fork line 2') }, message: 'fork: reword the guide' },
      { files: { 'legacy/old.txt': null }, message: 'fork: drop legacy' },
    ],
    upstreamCommits: [
      // Line 2 conflicts; line 4 merges cleanly and must survive whichever side is preferred.
      { files: { 'docs/guide.md': doc('upstream line 2', 'upstream line 4'), 'legacy/old.txt': 'old, edited upstream\n' }, message: 'upstream: edit guide and legacy' },
      { files: { 'legacy/new.txt': 'brought back\n' }, message: 'upstream: add to legacy' },
    ],
  });
  fixtures.push(f);
  return f;
};
const show = (f: ForkFixture, path: string) => git(f.clone, 'show', `${f.trunk}:${path}`);

describe.each(['memory', 'worktree'] as const)('conflicts.policy, %s engine', (engine) => {
  it.each([
    { prefer: 'fork' as const, line2: 'fork line 2' },
    { prefer: 'upstream' as const, line2: 'upstream line 2' },
  ])('prefer $prefer decides the conflicting hunk, keeps the clean ones, re-applies the removal and reports the re-introduction', async ({ prefer, line2 }) => {
    const f = fork();
    const ctx = makeStageContext(f, { engine, conflicts: { owner: 'human', mechanical: ['Cargo.lock'], policy: { prefer: [{ paths: ['docs/**'], prefer }], removed: ['legacy/**'] } } });
    const v = await verifyStage(ctx);
    expect(v.status, v.summary).toBe('ok');
    const data = v.data as { policyDecisions?: { file: string; rule: string; glob: string; position: number; hunks: string[] }[]; reintroduced?: string[] };
    expect(data.policyDecisions?.map((d) => [d.position, d.file, d.rule, d.glob, d.hunks.length])).toEqual([
      [1, 'docs/guide.md', `prefer-${prefer}`, 'docs/**', 1],
      [2, 'legacy/old.txt', 'removed', 'legacy/**', 0],
    ]);
    expect(data.policyDecisions?.[0].hunks[0]).toContain('fork line 2');
    expect(data.policyDecisions?.[0].hunks[0]).toContain('upstream line 2');
    expect(data.reintroduced).toEqual(['legacy/new.txt']);
    expect(v.warnings?.join('\n')).toContain('legacy/new.txt');

    ctx.setPin(v.pin!);
    const a = await applyStage(ctx);
    expect(a.status, a.summary).toBe('ok');
    expect((a.data as { policyDecisions?: unknown }).policyDecisions).toEqual(data.policyDecisions);
    expect(show(f, 'docs/guide.md')).toBe(doc(line2, 'upstream line 4').trimEnd());
    expect(gitSucceeds(f.clone, 'cat-file', '-e', `${f.trunk}:legacy/old.txt`)).toBe(false);
  });

  it('without a policy the same day is a conflict', async () => {
    const f = fork();
    const v = await verifyStage(makeStageContext(f, { engine }));
    expect(v.outcome).toBe('verify-conflict');
    expect(v.conflict?.files).toEqual(['docs/guide.md']);
  });
});
