import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundRunner, CommandLog } from '@rebase-daily/core';
import { createForkFixture, git, type ForkFixture } from '@rebase-daily/core/testing';
import { alignStage, type AlignData } from './align.js';
import { syncGraphite } from './sync.js';
import { initGraphiteStack, workspaceGt } from './testing.js';
import { isolateGtHome, removeGtDir, stageContext } from './test-support.js';

// What really happens with the REAL `gt sync --no-restack` on this machine, which cannot reach
// Graphite's service. Measured while writing this (gt 1.8.6, offline): it exits 1 after about 60 s
// with "ERROR: Cannot read properties of undefined (reading 'toString')". These tests are slow on
// purpose and live in their own file so they run beside the others.
const TRUNK = 'fork/trunk';
let home: string;
let fx: ForkFixture;
beforeAll(() => {
  home = isolateGtHome();
  fx = createForkFixture({ trunk: TRUNK });
  initGraphiteStack(fx.clone, TRUNK, [{ name: 'feature', parent: TRUNK, files: { 'feature.txt': 'feature\n' } }]);
});
afterAll(() => {
  removeGtDir(fx.root);
  removeGtDir(home);
});

describe('real gt sync, offline', () => {
  it('a short timeout is honoured and the trunk is left alone', async () => {
    const trunkBefore = git(fx.clone, 'rev-parse', TRUNK);
    const started = Date.now();
    const s = await syncGraphite(boundRunner(new CommandLog()), fx.clone, workspaceGt(), TRUNK, 3_000);
    // The seam says it timed out (the event); the bound only tells the 3 s kill from gt's own failure
    // after about 60 s, with room for a busy 2-core machine.
    expect(s).toMatchObject({ ok: false, timedOut: true, message: 'gt sync timed out after 3s' });
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(s.trunkMoved).toBeUndefined();
    expect(git(fx.clone, 'rev-parse', TRUNK)).toBe(trunkBefore);
  });

  it('fails on its own; with the default policy (continue) align warns and still restacks locally', async () => {
    git(fx.clone, 'checkout', '-q', TRUNK);
    git(fx.clone, 'commit', '-q', '--allow-empty', '-m', 'trunk moves');
    const ctx = stageContext(fx.root, { repo: fx.clone, trunk: TRUNK, graphite: { syncTimeoutSeconds: 240 } });
    const r = await alignStage(ctx);
    const sync = (r.data as unknown as AlignData).sync;
    // It failed on its own (about 60 s), well inside the 240 s timeout: not a timeout.
    expect(sync).toMatchObject({ ok: false, timedOut: false });
    expect(sync?.exitCode).not.toBe(0);
    expect(sync?.message).toMatch(/^ERROR:/);
    expect(r.status).toBe('ok');
    expect(r.warnings?.[0]).toMatch(/graphite.onSyncFailure is "continue"/);
    expect((r.data as unknown as AlignData).restacked).toEqual(['feature']);
  });
});
