import { afterEach, describe, expect, it } from 'vitest';
import { createForkFixture, git, type ForkFixture } from '@rebase-daily/core/testing';
import type { Runner } from '@rebase-daily/core';
import { applyStage } from '../stages/apply-stage.js';
import { makeStageContext } from '../testing/stage-context.js';
import { verifyStage } from '../stages/verify-stage.js';

// A run records what it starts before it starts it (issue 10): every `git rebase` the stages run is
// in the run's temporaries, naming the worktree it runs in, at the moment git is started.
let f: ForkFixture | undefined;
afterEach(() => f?.cleanup());

describe('rebases are recorded before they start', () => {
  it('worktree engine: verify and apply (each in a temporary worktree) record each rebase first and drop the record when done', async () => {
    f = createForkFixture({ upstreamCommits: [{ files: { 'NEW.md': 'new\n' }, message: 'upstream: new file' }] });
    const ctx = makeStageContext(f, { engine: 'worktree' });
    const seen: { cwd: string; recorded: { kind: string; path: string }[] }[] = [];
    const real: Runner = ctx.run;
    ctx.run = (command, args, options) => {
      if (command === 'git' && args[0] === 'rebase' && !args.includes('--abort')) seen.push({ cwd: options.cwd, recorded: ctx.temporaries.map((t) => ({ ...t })) });
      return real(command, args, options);
    };
    const v = await verifyStage(ctx);
    expect(v.status, v.summary).toBe('ok');
    ctx.setPin(v.pin!);
    const a = await applyStage(ctx);
    expect(a.status, a.summary).toBe('ok');
    expect(seen).toHaveLength(2);
    for (const s of seen) expect(s.recorded).toContainEqual({ kind: 'operation', path: s.cwd });
    expect(seen[0].cwd).toMatch(/worktrees\/verify-/);
    expect(seen[0].recorded.map((t) => t.kind)).toEqual(['branch', 'worktree', 'operation']);
    // apply rebases a detached HEAD in its own temporary worktree (the trunk moves later, by compare-and-swap).
    expect(seen[1].cwd).toMatch(/worktrees\/apply-/);
    expect(ctx.temporaries).toEqual([]);
    expect(git(f.clone, 'status', '--porcelain')).toBe('');
  });
});
