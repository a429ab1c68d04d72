import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { git, rustForkScenario } from '@rebase-daily/core/testing';
import { manifestVersion, parseCargoLock } from '@rebase-daily/git';
import { cli, day, type Day } from './helpers.js';

/**
 * Issue 22: a generated Rust fork (a cargo workspace; registry crates vendored, so real cargo works
 * offline) whose version-bump patch conflicts with upstream only in Cargo.lock. `daily` settles the
 * lock by structure; with `conflicts.mechanical: []` the same day is a conflict.
 */
let d: Day | undefined;
afterEach(() => d?.fixture.cleanup());
const scenario = rustForkScenario();
const rustDay = (conflicts?: Record<string, unknown>) =>
  day({ base: scenario.base, patches: scenario.patches, upstreamCommits: scenario.upstreamCommits }, conflicts ? { conflicts } : {});

describe('daily on a Rust fork whose bump conflicts with upstream only in Cargo.lock', () => {
  it('exits 0 with the lock merged by structure: valid TOML, members at the manifest version, upstream packages kept, merges listed', async () => {
    d = rustDay();
    const upstreamLock = parseCargoLock(git(d.fixture.upstreamWork, 'show', 'HEAD:Cargo.lock'));
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.outcome).toBe('success');

    const text = git(d.fixture.clone, 'show', `${d.fixture.trunk}:Cargo.lock`);
    // parseCargoLock reads it with smol-toml: valid TOML, or this throws.
    const lock = parseCargoLock(text);
    const version = manifestVersion(git(d.fixture.clone, 'show', `${d.fixture.trunk}:Cargo.toml`))?.version;
    expect(version).toBe('0.1.0-fork.1');
    for (const p of lock.packages.filter((p) => !p.source)) expect(`${p.name} ${p.version}`).toBe(`${p.name} ${version}`);
    for (const p of upstreamLock.packages.filter((p) => p.source)) expect(lock.packages).toContainEqual(expect.objectContaining({ name: p.name, version: p.version, source: p.source }));
    expect(`${text}\n`).toBe(scenario.expectedLock);

    const report = d.report();
    expect(report.patches.lockMerges).toEqual([
      expect.objectContaining({ position: 2, queueLength: 2, file: 'Cargo.lock', patch: expect.objectContaining({ subject: 'chore(fork): set fork version to 0.1.0-fork.1' }) }),
    ]);
    expect(report.patches.lockMerges[0].entries).toHaveLength(3);
    expect(report.patches.lockConfirmation).toMatchObject({ status: 'confirmed', file: 'Cargo.lock' });
    expect(report.stages.find((s: { name: string }) => s.name === 'verify').summary).toContain('Cargo.lock merged by structure in 1 patch(es)');
    expect(d.clean()).toBe(true);
  });

  it('with conflicts.mechanical: [] the same day exits 10 on Cargo.lock', async () => {
    d = rustDay({ mechanical: [] });
    const before = d.refs();
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.code).toBe(10);
    expect(r.json.outcome).toBe('verify-conflict');
    expect(d.refs()).toEqual(before);
    expect(d.report().conflict.files).toEqual(['Cargo.lock']);
    expect(d.report().patches.lockMerges).toBeUndefined();
    // The context bundle the prompt points to: the fork patch touching the conflicted file, the upstream commit.
    const bundle = JSON.parse(readFileSync(d.report().conflict.contextBundle.json, 'utf8'));
    expect(bundle.patchesByFile).toEqual([{ file: 'Cargo.lock', patches: [expect.objectContaining({ subject: 'chore(fork): set fork version to 0.1.0-fork.1' })] }]);
    expect(bundle.commits.map((c: { subject: string }) => c.subject)).toEqual(['upstream: c depends on qux']);
    expect(readFileSync(d.report().conflict.contextBundle.md, 'utf8')).toContain('## Fork patches touching each conflicted file');
  });
});
