import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { git } from '@rebase-daily/core/testing';
import { binPath, workspaceRoot } from './helpers.js';

// Crash injection (issue 10, "Interrupts and crashes"): the built CLI's `daily` on generated forks,
// SIGKILLed at random moments across the run and while parked inside the push or inside the local
// trunk's ref update (git holding its ref lock), for both engines;
// alone (its children must die with it) or with all its descendants. After each kill: the fork
// remote is old or completely new, no patch is lost, no child outlives the run, and plain reruns of
// `daily` — no file deleted, no git by hand — end in exit 0 with nothing left behind.
// CRASH_KILLS (default 8) bounds it for CI; tools/crash/run.mjs --kills N runs it unbounded.

interface Trial {
  trialId: string;
  phase: string | null;
  violations: string[];
  orphans: { pid: number; argv: string }[];
  reruns: { code: number | null; errors: string[]; leftovers: string[] }[];
  recovered: boolean;
  settled: string[];
}
interface Harness {
  crashInjection(options: { kills: number; seed?: number; maxReruns?: number }): Promise<{ seed: number; wallMs: number; trials: Trial[]; summary: Record<string, unknown> & { notRecovered: unknown[] } }>;
  createCrashFork(engine: string): { fixture: { clone: string; originBare: string; upstreamBare: string; trunk: string; mirror: string; cleanup(): void; advanceUpstream(c: unknown[]): string }; queue: string[] };
  checkInvariants(fork: unknown, before: { originTrunk: string | null; originMirror: string | null }, upstream: string): string[];
}
const harness = async (): Promise<Harness> => (await import(pathToFileURL(join(workspaceRoot, 'tools', 'crash', 'harness.mjs')).href)) as Harness;

describe('crash injection', () => {
  it('the checks have teeth: a half-published trunk and a lost patch are caught', async () => {
    const { createCrashFork, checkInvariants } = await harness();
    const fork = createCrashFork('memory');
    const { fixture } = fork;
    try {
      const before = { originTrunk: git(fixture.originBare, 'rev-parse', fixture.trunk), originMirror: git(fixture.originBare, 'rev-parse', fixture.mirror) };
      const upstream = git(fixture.upstreamBare, 'rev-parse', 'main');
      expect(checkInvariants(fork, before, upstream)).toEqual([]);
      // Half: two of the four patches replayed onto upstream, pushed; the local trunk lost the rest too.
      git(fixture.clone, 'checkout', '-q', '-B', fixture.trunk, 'upstream/main');
      git(fixture.clone, 'cherry-pick', `${before.originTrunk}~3`, `${before.originTrunk}~2`);
      git(fixture.clone, 'push', '-q', '--force', 'origin', fixture.trunk);
      const v = checkInvariants(fork, before, upstream);
      expect(v[0]).toMatch(/^fork trunk is [0-9a-f]{40}: neither the old .* nor the whole queue on upstream/);
      expect(v.filter((x) => / is lost /.test(x))).toHaveLength(2);
    } finally {
      fixture.cleanup();
    }
  });

  it(`kills of \`daily\` (CRASH_KILLS=${process.env.CRASH_KILLS ?? 8}, both engines, in the push and in the trunk's ref update) leave no half state, lose no patch, orphan no child, and the next runs recover alone`, async () => {
    expect(existsSync(binPath), 'build the CLI first (node tools/build-all.mjs)').toBe(true);
    const { crashInjection } = await harness();
    const kills = Number(process.env.CRASH_KILLS ?? 8);
    expect(kills, 'CRASH_KILLS must be at least 4 (a push kill and a ref-update kill per engine)').toBeGreaterThanOrEqual(4);
    const seed = process.env.CRASH_SEED ? Number(process.env.CRASH_SEED) : undefined;
    const result = await crashInjection({ kills, seed, maxReruns: 3 });
    const { trials, summary } = result;
    const context = JSON.stringify({ seed: result.seed, summary }, null, 2);
    expect(trials, context).toHaveLength(kills);
    expect(trials.filter((t) => t.phase === 'apply (in the push)'), context).toHaveLength(2);
    expect(trials.filter((t) => t.phase === 'apply (in the trunk ref update)'), context).toHaveLength(2);
    expect(trials.flatMap((t) => t.violations), context).toEqual([]);
    expect(trials.flatMap((t) => t.orphans), context).toEqual([]);
    // Recovery needs no human and no second try: the first plain rerun ends in exit 0 and leaves a
    // settled fork — the dead run's lock taken over (never 15), its git lock files and its recorded
    // rebase undone by that rerun's cleanup (never E_GIT_LOCK, never an operation in progress).
    expect(summary.notRecovered, context).toEqual([]);
    expect(trials.filter((t) => t.reruns.length > 1).map((t) => ({ trial: t.phase, reruns: t.reruns })), context).toEqual([]);
    // Each kill inside the trunk's ref update left git's ref lock; the next run removed it.
    expect(summary.gitLockFilesRemoved, context).toBeGreaterThanOrEqual(2);
    for (const t of trials.filter((x) => x.phase === 'apply (in the push)')) {
      expect(t.reruns[0].leftovers, context).toContainEqual(expect.stringMatching(/was killed during `git push /));
    }
  }, 240_000);
});
