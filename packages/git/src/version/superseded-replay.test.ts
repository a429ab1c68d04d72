import { afterEach, describe, expect, it } from 'vitest';
import { boundRunner, CommandLog, VersionConfigSchema, type ConfigInput } from '@rebase-daily/core';
import { createForkFixture, git, type ForkFixture } from '@rebase-daily/core/testing';
import { applyStage } from '../stages/apply-stage.js';
import { bumpVersion } from './bump-version.js';
import { cargoMetadataLocked, cargoWorkspaceFiles } from '../testing/cargo-workspace.js';
import { makeStageContext } from '../testing/stage-context.js';
import { verifyStage } from '../stages/verify-stage.js';

// Bump commits are superseded, not accumulated: verify, apply and localization leave the old bump
// out of the replay in both engines, and apply writes one fresh bump. Real repositories, real cargo.
const fixtures: ForkFixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup();
});
const run = boundRunner(new CommandLog());
const version = { suffix: '-fork.1', source: 'manifest' as const };
const bumps = (repo: string, range: string) =>
  git(repo, 'log', '--format=%(trailers:key=Rebase-Daily-Bump,valueonly)', range)
    .split('\n')
    .filter((l) => l.trim());

/**
 * Upstream at 1.2.0; the fork: two patches and the tool's bump to 1.2.0-fork.1 (pushed). Then
 * upstream releases 1.3.0 (Cargo.toml and Cargo.lock), which conflicts with the old bump.
 */
async function forkWithBump(upstreamAfterRelease: { files: Record<string, string>; message: string }[] = []) {
  const base = cargoWorkspaceFiles('1.2.0');
  const f = createForkFixture({
    base,
    patches: [
      { files: { 'FORK.md': 'fork notes\n' }, message: 'fork: notes' },
      { files: { 'crates/c/src/lib.rs': 'pub fn c() { /* fork */ }\n' }, message: 'fork: c' },
    ],
  });
  fixtures.push(f);
  const bump = await bumpVersion(run, { cwd: f.clone, upstreamSha: git(f.clone, 'rev-parse', `upstream/${f.upstreamBranch}`), version: VersionConfigSchema.parse(version) });
  expect(bump.status).toBe('committed');
  git(f.clone, 'push', '-q', 'origin', f.trunk);
  const release = cargoWorkspaceFiles('1.3.0');
  f.advanceUpstream([{ files: { 'Cargo.toml': release['Cargo.toml'], 'Cargo.lock': release['Cargo.lock'] }, message: 'release 1.3.0' }, ...upstreamAfterRelease]);
  return { f, oldBump: bump.commit! };
}

describe('superseded version bumps', () => {
  it('without version bumps the old bump is a patch like any other, and conflicts with the release', async () => {
    const { f } = await forkWithBump();
    const v = await verifyStage(makeStageContext(f, { engine: 'memory' }));
    expect(v.outcome).toBe('verify-conflict');
    expect(v.conflict?.patch?.subject).toBe('chore(fork): set fork version to 1.2.0-fork.1');
  });

  it.each(['memory', 'worktree'] as const)('%s engine: the release day is clean; the old bump is left out and listed; apply writes one fresh bump that cargo accepts', async (engine) => {
    const { f, oldBump } = await forkWithBump();
    const extra: Partial<ConfigInput> = { engine, version };
    const ctx = makeStageContext(f, extra);
    const v = await verifyStage(ctx);
    expect(v.status, v.summary).toBe('ok');
    const superseded = [{ sha: oldBump, subject: 'chore(fork): set fork version to 1.2.0-fork.1', reason: 'Rebase-Daily-Bump: 1.2.0-fork.1' }];
    expect(v.data?.superseded).toEqual(superseded);
    expect((v.data?.queue as { sha: string }[]).map((p) => p.sha)).not.toContain(oldBump);
    expect(v.summary).toContain('1 superseded version bump(s) left out');
    ctx.setPin(v.pin!);
    const a = await applyStage(ctx);
    expect(a.status, a.summary).toBe('ok');
    expect(a.data?.superseded).toEqual(superseded);
    const upstream = git(f.clone, 'rev-parse', `upstream/${f.upstreamBranch}`);
    const trunk = git(f.clone, 'rev-parse', f.trunk);
    expect(git(f.clone, 'log', '--reverse', '--format=%s', `${upstream}..${trunk}`).split('\n')).toEqual(['fork: notes', 'fork: c', 'chore(fork): set fork version to 1.3.0-fork.1']);
    expect(bumps(f.clone, `${upstream}..${trunk}`)).toEqual(['1.3.0-fork.1']);
    expect(a.data?.bump).toMatchObject({ status: 'committed', checks: { lockEntries: { stale: [], missing: [] }, locked: { before: 'ok', after: 'ok' } } });
    expect(cargoMetadataLocked(f.clone).packages.find((p) => p.name === 'a')?.version).toBe('1.3.0-fork.1');
    // apply is local: the publish stage pushes (after validate); the fork remote has not moved yet.
    expect(a.data?.pushes).toEqual([]);
    expect(git(f.clone, 'rev-parse', `origin/${f.trunk}`)).not.toBe(trunk);
  });

  it.each(['memory', 'worktree'] as const)('%s engine: a conflict after the release names the real patch, never the old bump; reproduce lines leave the bump out', async (engine) => {
    const { f, oldBump } = await forkWithBump([{ files: { 'crates/c/src/lib.rs': 'pub fn c() { /* upstream */ }\n' }, message: 'upstream: c' }]);
    const v = await verifyStage(makeStageContext(f, { engine, version }));
    expect(v.outcome).toBe('verify-conflict');
    expect(v.conflict).toMatchObject({ patch: { subject: 'fork: c' }, position: 2, queueLength: 2, files: ['crates/c/src/lib.rs'] });
    expect(v.conflict?.reproduce.join('\n')).toContain(`git -c core.abbrev=40 rebase -i --empty=drop`);
    expect(v.conflict?.reproduce.join('\n')).toContain(oldBump);
    if (engine === 'memory') {
      // Localization leaves the bump out too: the release is clean, the upstream edit of c breaks.
      expect(v.conflict?.localization).toMatchObject({ lastClean: { subject: 'release 1.3.0', index: 0 }, firstBreaking: { subject: 'upstream: c' }, patch: { subject: 'fork: c' } });
    }
  });

  it('onConflict "advance" with a bump: apply moves the trunk to the release (the old bump left out, a fresh one written)', async () => {
    const { f } = await forkWithBump([{ files: { 'crates/c/src/lib.rs': 'pub fn c() { /* upstream */ }\n' }, message: 'upstream: c' }]);
    const ctx = makeStageContext(f, { engine: 'memory', version, onConflict: 'advance' });
    const release = git(f.clone, 'rev-parse', `upstream/${f.upstreamBranch}~1`);
    const v = await verifyStage(ctx);
    expect(v.status, v.summary).toBe('ok');
    expect(v.pin?.upstream).toBe(release);
    expect(v.nextActions?.[0]).toMatch(/^Partial day: apply moves .* to upstream [0-9a-f]{12} "release 1.3.0" \(1 of 2 new upstream commit\(s\)\); the run exits 16 \(partial\)\.$/);
    expect(v.nextActions?.[1]).toMatch(/^Remaining: 1 upstream commit\(s\) left, first breaking [0-9a-f]{12} "upstream: c"/);
    ctx.setPin(v.pin!);
    const a = await applyStage(ctx);
    expect(a.status, a.summary).toBe('ok');
    expect(bumps(f.clone, `${release}..${f.trunk}`)).toEqual(['1.3.0-fork.1']);
  });
});
