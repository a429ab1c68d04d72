import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'smol-toml';
import { createForkFixture, git, rustForkScenario, type ForkFixture } from '@rebase-daily/core/testing';
import { applyStage } from '../stages/apply-stage.js';
import { verifyStage } from '../stages/verify-stage.js';
import { makeStageContext } from '../testing/stage-context.js';

/**
 * Both replay engines on a real Rust fork (real git repos, real cargo over a vendored source):
 * the fork's bump patch conflicts with upstream only in Cargo.lock, which the engines merge by
 * structure. The expected lock is the one cargo writes for the merged manifests.
 */
const fixtures: ForkFixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup();
});
const scenario = rustForkScenario();
const fork = () => {
  const f = createForkFixture({ base: scenario.base, patches: scenario.patches, upstreamCommits: scenario.upstreamCommits });
  fixtures.push(f);
  return f;
};

describe.each(['memory', 'worktree'] as const)('lock-only conflicts, %s engine', (engine) => {
  it('git rebase stops on Cargo.lock alone (the premise)', () => {
    const f = fork();
    const wt = `${f.root}/probe`;
    git(f.clone, 'worktree', 'add', '-q', '--detach', wt, f.trunk);
    expect(() => git(wt, 'rebase', 'upstream/main')).toThrow();
    expect(git(wt, 'diff', '--name-only', '--diff-filter=U')).toBe('Cargo.lock');
    git(wt, 'rebase', '--abort');
  });

  it('verify reports the day clean with the merge listed and cargo confirming; apply writes the same lock', async () => {
    const f = fork();
    const ctx = makeStageContext(f, { engine });
    const v = await verifyStage(ctx);
    expect(v.status, v.summary).toBe('ok');
    expect(v.summary).toContain('Cargo.lock merged by structure in 1 patch(es)');
    const data = v.data as { lockMerges?: unknown[]; lockConfirmation?: { status: string } };
    expect(data.lockMerges).toEqual([
      {
        patch: { sha: git(f.clone, 'rev-parse', f.trunk), subject: 'chore(fork): set fork version to 0.1.0-fork.1' },
        position: 2,
        queueLength: 2,
        file: 'Cargo.lock',
        entries: [
          { name: 'a', version: '0.1.0-fork.1', change: 'changed', fields: ['version'] },
          { name: 'b', version: '0.1.0-fork.1', change: 'changed', fields: ['version'] },
          { name: 'c', version: '0.1.0-fork.1', change: 'changed', fields: ['version'] },
        ],
      },
    ]);
    expect(data.lockConfirmation, JSON.stringify(data.lockConfirmation)).toMatchObject({ status: 'confirmed' });
    expect(ctx.temporaries).toEqual([]);

    ctx.setPin(v.pin!);
    const a = await applyStage(ctx);
    expect(a.status, a.summary).toBe('ok');
    expect((a.data as { lockMerges?: unknown[] }).lockMerges).toEqual(data.lockMerges);
    const lock = git(f.clone, 'show', `${f.trunk}:Cargo.lock`);
    expect(`${lock}\n`).toBe(scenario.expectedLock);
    const packages = (parse(lock) as { package: { name: string; version: string; source?: string }[] }).package;
    expect(packages.filter((p) => !p.source).map((p) => `${p.name} ${p.version}`)).toEqual(['a 0.1.0-fork.1', 'b 0.1.0-fork.1', 'c 0.1.0-fork.1']);
    expect(packages.some((p) => p.name === 'qux')).toBe(true);
    expect(git(f.clone, 'log', '--format=%s', `upstream/main..${f.trunk}`).split('\n')).toEqual(['chore(fork): set fork version to 0.1.0-fork.1', 'fork: add notes']);
    expect(ctx.temporaries).toEqual([]);
  });

  it('with conflicts.mechanical [] the day stays a conflict in Cargo.lock', async () => {
    const f = fork();
    const ctx = makeStageContext(f, { engine, conflicts: { owner: 'human', mechanical: [] } });
    const v = await verifyStage(ctx);
    expect(v.outcome).toBe('verify-conflict');
    expect(v.conflict?.files).toEqual(['Cargo.lock']);
    expect((v.data as { lockMerges?: unknown }).lockMerges).toBeUndefined();
  });

  it('a lock conflict the merger cannot settle stays a conflict, with its finding', async () => {
    const f = fork();
    // Upstream re-publishes foo 1.0.0 while the patch also changes its checksum: the same field two ways.
    const sum = (s: string) => git(f.clone, 'show', `${f.trunk}:Cargo.lock`).replace(/(name = "foo"\nversion = "1.0.0"\n[^\n]*\nchecksum = ")[0-9a-f]+/, `$1${s}`);
    git(f.clone, 'checkout', '-q', f.trunk);
    writeFileSync(`${f.clone}/Cargo.lock`, `${sum('aa'.repeat(32))}\n`);
    git(f.clone, 'commit', '-qam', 'fork: pin a patched foo');
    git(f.clone, 'push', '-q', 'origin', f.trunk);
    f.advanceUpstream([{ files: { 'Cargo.lock': git(f.upstreamWork, 'show', 'HEAD:Cargo.lock').replace(/(name = "foo"\nversion = "1.0.0"\n[^\n]*\nchecksum = ")[0-9a-f]+/, `$1${'bb'.repeat(32)}`) }, message: 'upstream: foo re-published' }]);
    const ctx = makeStageContext(f, { engine });
    const v = await verifyStage(ctx);
    expect(v.outcome).toBe('verify-conflict');
    expect(v.conflict?.patch?.subject).toBe('fork: pin a patched foo');
    expect(v.conflict?.lockFindings).toEqual([{ file: 'Cargo.lock', findings: [`foo checksum: base ${git(f.upstreamWork, 'show', 'HEAD~1:Cargo.lock').match(/name = "foo"\nversion = "1.0.0"\n[^\n]*\nchecksum = "([0-9a-f]+)"/)![1]}, upstream ${'bb'.repeat(32)}, patch ${'aa'.repeat(32)}`] }]);
  });
});
