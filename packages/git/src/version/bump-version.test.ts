import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boundRunner, CommandLog, VersionConfigSchema } from '@rebase-daily/core';
import { createForkFixture, git, makeTempDir, removeDir, writeFile, type ForkFixture } from '@rebase-daily/core/testing';
import { bumpVersion } from './bump-version.js';
import { cargoMetadataLocked, cargoWorkspaceFiles } from '../testing/cargo-workspace.js';
import '../testing/stage-context.js';

const fixtures: ForkFixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup();
});
const run = boundRunner(new CommandLog());
const versionOf = (pkgs: { name: string; version: string }[], name: string) => pkgs.find((p) => p.name === name)?.version;

describe('bumpVersion', () => {
  it('writes the fork version to the workspace and Cargo.lock, commits, keeps cargo metadata --locked passing; second run is a no-op', async () => {
    const f = createForkFixture({ base: cargoWorkspaceFiles('1.2.0') });
    fixtures.push(f);
    const upstream = git(f.clone, 'rev-parse', `upstream/${f.upstreamBranch}`);
    const head = git(f.clone, 'rev-parse', 'HEAD');
    const version = VersionConfigSchema.parse({ suffix: '-fork.1' });
    const first = await bumpVersion(run, { cwd: f.clone, upstreamSha: upstream, version });
    expect(first).toMatchObject({
      status: 'committed',
      upstreamVersion: '1.2.0',
      forkVersion: '1.2.0-fork.1',
      previousVersion: '1.2.0',
      files: ['Cargo.toml', 'Cargo.lock'],
      members: ['a', 'b'],
    });
    expect(git(f.clone, 'rev-parse', 'HEAD~1')).toBe(head);
    expect(first.commit).toBe(git(f.clone, 'rev-parse', 'HEAD'));
    expect(git(f.clone, 'log', '-1', '--format=%s')).toBe('chore(fork): set fork version to 1.2.0-fork.1');
    expect(git(f.clone, 'status', '--porcelain')).toBe('');
    const manifest = readFileSync(join(f.clone, 'Cargo.toml'), 'utf8');
    expect(manifest).toContain('# Bumped by rebase-daily; keep this comment.\nversion = "1.2.0-fork.1" # trailing comment');
    const meta = cargoMetadataLocked(f.clone);
    expect([versionOf(meta.packages, 'a'), versionOf(meta.packages, 'b'), versionOf(meta.packages, 'c')]).toEqual(['1.2.0-fork.1', '1.2.0-fork.1', '0.3.0']);

    const second = await bumpVersion(run, { cwd: f.clone, upstreamSha: upstream, version });
    expect(second).toMatchObject({ status: 'unchanged', forkVersion: '1.2.0-fork.1', commit: null, files: [] });
    expect(git(f.clone, 'rev-parse', 'HEAD')).toBe(first.commit);
  });

  it('takes the newest matching tag reachable from the upstream SHA', async () => {
    const f = createForkFixture({ base: cargoWorkspaceFiles('0.0.0') });
    fixtures.push(f);
    git(f.upstreamWork, 'tag', 'v1.9.0');
    f.advanceUpstream([{ files: { 'NEW.md': 'x\n' }, message: 'upstream: release' }]);
    git(f.upstreamWork, 'tag', 'v1.10.0');
    git(f.upstreamWork, 'tag', 'nightly');
    f.advanceUpstream([{ files: { 'NEXT.md': 'x\n' }, message: 'upstream: after release' }]);
    git(f.upstreamWork, 'tag', 'v2.0.0');
    git(f.upstreamWork, 'push', '-q', 'origin', '--tags');
    git(f.clone, 'fetch', '-q', '--tags', 'upstream');
    const pinned = git(f.clone, 'rev-parse', 'v1.10.0^{commit}');
    const version = VersionConfigSchema.parse({ suffix: '+fork', source: 'tag', tagPattern: '^v(\\d+\\.\\d+\\.\\d+)$' });
    const r = await bumpVersion(run, { cwd: f.clone, upstreamSha: pinned, version });
    expect(r).toMatchObject({ status: 'committed', upstreamVersion: '1.10.0', forkVersion: '1.10.0+fork', source: 'tag v1.10.0' });
    expect(versionOf(cargoMetadataLocked(f.clone).packages, 'a')).toBe('1.10.0+fork');
  });

  it('fails with E_VERSION_BUMP (and writes nothing) when no tag matches', async () => {
    const f = createForkFixture({ base: cargoWorkspaceFiles('0.0.0') });
    fixtures.push(f);
    const upstream = git(f.clone, 'rev-parse', `upstream/${f.upstreamBranch}`);
    const r = await bumpVersion(run, { cwd: f.clone, upstreamSha: upstream, version: VersionConfigSchema.parse({ suffix: '-fork', source: 'tag' }) });
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('E_VERSION_BUMP');
    expect(git(f.clone, 'status', '--porcelain')).toBe('');
  });

  /** The workspace plus a path dependency inside the root that is not in `members` (libs/p), as on the real fork. */
  const withPathDep = (requirement = '') => {
    const files = cargoWorkspaceFiles('1.2.0');
    files['Cargo.toml'] = files['Cargo.toml'].replace('b = { path = "crates/b" }', `b = { path = "crates/b" }\np = { path = "libs/p"${requirement} }`);
    files['crates/a/Cargo.toml'] += 'p = { workspace = true }\n';
    files['libs/p/Cargo.toml'] = '[package]\nname = "p"\nversion.workspace = true\nedition.workspace = true\n';
    files['libs/p/src/lib.rs'] = 'pub fn p() {}\n';
    return files;
  };
  const lockFixture = (files: Record<string, string>) => {
    const dir = makeTempDir('rebase-daily-lock-');
    try {
      for (const [path, content] of Object.entries(files)) writeFile(dir, path, content);
      execFileSync('cargo', ['generate-lockfile', '--offline'], { cwd: dir, stdio: 'ignore' });
      return { ...files, 'Cargo.lock': readFileSync(join(dir, 'Cargo.lock'), 'utf8') };
    } finally {
      removeDir(dir);
    }
  };

  it('takes the members from cargo: a path dependency inside the root gets its lock entry bumped; checks and trailer recorded', async () => {
    const f = createForkFixture({ base: lockFixture(withPathDep()) });
    fixtures.push(f);
    const upstream = git(f.clone, 'rev-parse', `upstream/${f.upstreamBranch}`);
    const r = await bumpVersion(run, { cwd: f.clone, upstreamSha: upstream, version: VersionConfigSchema.parse({ suffix: '-fork.1' }) });
    expect(r.status).toBe('committed');
    expect([...r.members].sort()).toEqual(['a', 'b', 'p']);
    expect(r.checks).toStrictEqual({ lockEntries: { members: 4, stale: [], missing: [] }, locked: { before: 'ok', after: 'ok' } });
    expect(versionOf(cargoMetadataLocked(f.clone).packages, 'p')).toBe('1.2.0-fork.1');
    expect(git(f.clone, 'log', '-1', '--format=%(trailers:key=Rebase-Daily-Bump,valueonly)').trim()).toBe('1.2.0-fork.1');
  });

  it('fails with E_VERSION_BUMP and writes nothing when cargo metadata --locked passed before the bump and fails after it', async () => {
    // An exact requirement on a member's version: the bumped lock is consistent, but cargo can no longer resolve.
    const f = createForkFixture({ base: lockFixture(withPathDep(', version = "=1.2.0"')) });
    fixtures.push(f);
    const head = git(f.clone, 'rev-parse', 'HEAD');
    const upstream = git(f.clone, 'rev-parse', `upstream/${f.upstreamBranch}`);
    const r = await bumpVersion(run, { cwd: f.clone, upstreamSha: upstream, version: VersionConfigSchema.parse({ suffix: '-fork.1' }) });
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('E_VERSION_BUMP');
    expect(r.error?.message).toMatch(/cargo metadata --locked --offline passed before the bump and fails after it \(error: failed to select a version for the requirement `p = "=1.2.0"`\); nothing written/);
    expect(r.checks?.locked).toMatchObject({ before: 'ok', after: 'failed' });
    expect(git(f.clone, 'status', '--porcelain')).toBe('');
    expect(git(f.clone, 'rev-parse', 'HEAD')).toBe(head);
  });

  it('fails with E_TOOL_MISSING (exit 1) and writes nothing when cargo is not installed', async () => {
    const f = createForkFixture({ base: cargoWorkspaceFiles('1.2.0') });
    fixtures.push(f);
    const upstream = git(f.clone, 'rev-parse', `upstream/${f.upstreamBranch}`);
    const r = await bumpVersion(run, { cwd: f.clone, upstreamSha: upstream, version: VersionConfigSchema.parse({ suffix: '-fork.1' }), cargo: join(f.root, 'no-such-cargo') });
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('E_TOOL_MISSING');
    expect(r.error?.message).toMatch(/no-such-cargo not found on PATH \(needed for the version bump: .*\); install Rust with rustup/);
    expect(git(f.clone, 'status', '--porcelain')).toBe('');
  });
});

