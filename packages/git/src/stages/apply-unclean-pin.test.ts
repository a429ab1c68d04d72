import { createForkFixture, git, type ForkFixture, type ForkFixtureOptions } from '@rebase-daily/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { applyStage } from './apply-stage.js';
import { lib } from '../testing/fork-scenarios.js';
import { makeStageContext, shasNow } from '../testing/stage-context.js';
import { verifyStage } from './verify-stage.js';

// The plan: verify first, apply only what verify proved. A pin from a verify that stopped at a
// conflict (clean: false) must not be applied, whichever engine would run it.
const conflicting: ForkFixtureOptions = {
  patches: [
    { files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes' },
    { files: { 'src/lib.txt': lib('fork line 2') }, message: 'fork: change line 2' },
  ],
  upstreamCommits: [
    { files: { 'NEW.md': 'new upstream file\n' }, message: 'upstream: new file' },
    { files: { 'src/lib.txt': lib('upstream line 2') }, message: 'upstream: change line 2' },
  ],
};

const fixtures: ForkFixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup();
});

describe('apply with a pin verify did not prove clean', () => {
  it.each(['memory', 'worktree'] as const)('%s engine: refused with E_NOT_VERIFIED before anything moves or is pushed', async (engine) => {
    const f = createForkFixture(conflicting);
    fixtures.push(f);
    const ctx = makeStageContext(f, { engine });
    const v = await verifyStage(ctx);
    expect(v).toMatchObject({ status: 'failed', outcome: 'verify-conflict', pin: { clean: false } });
    ctx.setPin(v.pin!);
    const before = shasNow(f);
    const commandsBefore = ctx.commandLog.entries.length;
    const r = await applyStage(ctx);
    expect(r).toMatchObject({ status: 'failed', outcome: 'error', errors: [{ code: 'E_NOT_VERIFIED', details: { upstream: v.pin!.upstream } }] });
    expect(r.summary).toMatch(/verify did not prove .* replays cleanly onto upstream [0-9a-f]{12}; apply refuses it/);
    expect(shasNow(f)).toEqual(before);
    expect(git(f.originBare, 'rev-parse', `refs/heads/${f.trunk}`)).toBe(before.forkTrunk);
    // Refused before any command: no fetch, no rebase, no push.
    expect(ctx.commandLog.entries.slice(commandsBefore)).toEqual([]);
    expect(git(f.clone, 'status', '--porcelain')).toBe('');
  });
});
