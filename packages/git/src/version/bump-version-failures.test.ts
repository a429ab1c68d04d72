import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { boundRunner, CommandLog, EXIT, RebaseDailyError, VersionConfigSchema } from '@rebase-daily/core';
import { createForkFixture, git, writeFile, type ForkFixture } from '@rebase-daily/core/testing';
import { bumpFailure, bumpVersion, type BumpResult } from './bump-version.js';
import { cargoMetadataLocked, cargoWorkspaceFiles } from '../testing/cargo-workspace.js';

/**
 * The bump's other paths, on real git and real cargo: no lock, a lock cargo already refused, and
 * every way it fails — each leaves the trunk as it was (HEAD, index and files).
 */
const fixtures: ForkFixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup();
});
const run = boundRunner(new CommandLog());
const version = VersionConfigSchema.parse({ suffix: '-fork.1' });

function fork(base: Record<string, string>, patches?: { files: Record<string, string | null>; message: string }[]) {
  const f = createForkFixture({ base, ...(patches ? { patches } : {}) });
  fixtures.push(f);
  return { f, upstream: git(f.clone, 'rev-parse', `upstream/${f.upstreamBranch}`), head: git(f.clone, 'rev-parse', 'HEAD') };
}

/** Nothing moved: same HEAD, nothing staged, no file changed (ignored files included). */
function expectUntouched(f: ForkFixture, head: string, files: Record<string, string>) {
  expect(git(f.clone, 'rev-parse', 'HEAD')).toBe(head);
  expect(git(f.clone, 'status', '--porcelain', '--ignored=no')).toBe('');
  expect(git(f.clone, 'diff', '--cached', '--name-only')).toBe('');
  for (const [path, text] of Object.entries(files)) expect(readFileSync(join(f.clone, path), 'utf8'), path).toBe(text);
}

const failure = (r: BumpResult) => ({ status: r.status, code: r.error?.code, message: r.error?.message });

describe('bumpVersion without a lock, or with one cargo already refuses', () => {
  it('with no Cargo.lock, bumps the manifest alone; the checks say there was no lock', async () => {
    const { 'Cargo.lock': _lock, ...files } = cargoWorkspaceFiles('1.2.0');
    const { f, head } = fork(files);
    const r = await bumpVersion(run, { cwd: f.clone, upstreamSha: git(f.clone, 'rev-parse', 'upstream/main'), version });
    expect(r).toMatchObject({ status: 'committed', files: ['Cargo.toml'], members: ['a', 'b'], previousVersion: '1.2.0', forkVersion: '1.2.0-fork.1' });
    expect(r.checks).toStrictEqual({ lockEntries: null, locked: { before: 'no-lock', after: 'skipped' } });
    expect(git(f.clone, 'rev-parse', 'HEAD~1')).toBe(head);
    expect(git(f.clone, 'show', '--name-only', '--format=', 'HEAD')).toBe('Cargo.toml');
    expect(git(f.clone, 'status', '--porcelain')).toBe('');
  });

  it('with a lock cargo --locked already refused, bumps it anyway and records before: failed, after: skipped', async () => {
    const files = cargoWorkspaceFiles('1.2.0');
    // c's entry gone: cargo wants to update the lock before the bump touches anything.
    files['Cargo.lock'] = files['Cargo.lock'].replace(/\[\[package\]\]\nname = "c"\nversion = "0\.3\.0"\n\n?/, '');
    expect(files['Cargo.lock']).not.toContain('name = "c"');
    const { f, upstream } = fork(files);
    const r = await bumpVersion(run, { cwd: f.clone, upstreamSha: upstream, version });
    expect(r).toMatchObject({ status: 'committed', files: ['Cargo.toml', 'Cargo.lock'] });
    expect(r.checks).toStrictEqual({ lockEntries: { members: 3, stale: [], missing: ['c'] }, locked: { before: 'failed', after: 'skipped' } });
    const lock = readFileSync(join(f.clone, 'Cargo.lock'), 'utf8');
    expect(lock).toContain('name = "a"\nversion = "1.2.0-fork.1"');
    expect(lock).toContain('name = "b"\nversion = "1.2.0-fork.1"');
  });
});

describe('bumpVersion failures leave the trunk as it was', () => {
  it('E_VERSION_BUMP when the manifest is gone from the trunk (upstream still has it)', async () => {
    const { f, upstream, head } = fork(cargoWorkspaceFiles('1.2.0'), [{ files: { 'Cargo.toml': null }, message: 'fork: move the manifest away' }]);
    const r = await bumpVersion(run, { cwd: f.clone, upstreamSha: upstream, version });
    expect(failure(r)).toEqual({ status: 'failed', code: 'E_VERSION_BUMP', message: 'Cargo.toml not found on the trunk; fix version.manifest' });
    expect(r).toMatchObject({ upstreamVersion: '1.2.0', forkVersion: '1.2.0-fork.1', previousVersion: null, files: [], members: [], checks: null, commit: null });
    expectUntouched(f, head, {});
  });

  it('E_VERSION_BUMP when the trunk manifest declares no version', async () => {
    const manifest = '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n';
    const { f, upstream, head } = fork(cargoWorkspaceFiles('1.2.0'), [{ files: { 'Cargo.toml': manifest }, message: 'fork: drop the workspace version' }]);
    const r = await bumpVersion(run, { cwd: f.clone, upstreamSha: upstream, version });
    expect(failure(r)).toEqual({ status: 'failed', code: 'E_VERSION_BUMP', message: 'Cargo.toml declares no [workspace.package] version; add one' });
    expectUntouched(f, head, { 'Cargo.toml': manifest });
  });

  it("E_VERSION_BUMP naming the manifest when the edit guard refuses (a plain Error from the edit)", async () => {
    const files = cargoWorkspaceFiles('1.2.0');
    // The version in an inline table: readable, but not a `version = "…"` line the bump can rewrite.
    files['Cargo.toml'] = files['Cargo.toml'].replace(/\[workspace\.package\][^[]*/, '').replace('[workspace]\n', '[workspace]\npackage = { version = "1.2.0", edition = "2021" }\n');
    const { f, upstream, head } = fork(files);
    const r = await bumpVersion(run, { cwd: f.clone, upstreamSha: upstream, version });
    expect(failure(r)).toEqual({
      status: 'failed',
      code: 'E_VERSION_BUMP',
      message: 'Cargo.toml: no [workspace.package] table; write the version as `version = "x.y.z"` under [workspace.package]',
    });
    expect(r.previousVersion).toBe('1.2.0');
    expectUntouched(f, head, { 'Cargo.toml': files['Cargo.toml'], 'Cargo.lock': files['Cargo.lock'] });
  });

  it('E_VERSION_BUMP and nothing written when the lock edit would not take (its guard refuses): the manifest, already written, is put back', async () => {
    const files = cargoWorkspaceFiles('1.2.0');
    // Valid TOML cargo accepts as is, but an indented key the line edit does not rewrite: the guard
    // (the parsed lock must change in the member versions and nowhere else) refuses the edit.
    files['Cargo.lock'] = files['Cargo.lock'].replace('name = "a"\nversion = "1.2.0"', 'name = "a"\n  version = "1.2.0"');
    const { f, upstream, head } = fork(files);
    expect(cargoMetadataLocked(f.clone).packages.map((p) => p.name).sort()).toEqual(['a', 'b', 'c']);
    const r = await bumpVersion(run, { cwd: f.clone, upstreamSha: upstream, version });
    // The guard's plain Error is reported under the bump's code, prefixed with version.manifest.
    expect(failure(r)).toEqual({ status: 'failed', code: 'E_VERSION_BUMP', message: 'Cargo.toml: refusing to write: the edit would change more than the version' });
    expect(r.members).toEqual(['a', 'b']);
    expectUntouched(f, head, { 'Cargo.toml': files['Cargo.toml'], 'Cargo.lock': files['Cargo.lock'] });
  });

  it('a Cargo.lock git ignores is the user\'s: the bump commits the manifest alone and leaves that lock byte for byte', async () => {
    const { 'Cargo.lock': lock, ...files } = cargoWorkspaceFiles('1.2.0');
    const { f, upstream, head } = fork({ ...files, '.gitignore': 'Cargo.lock\n' });
    // The lock exists in the worktree but git ignores it (common for library crates).
    writeFile(f.clone, 'Cargo.lock', lock);
    const r = await bumpVersion(run, { cwd: f.clone, upstreamSha: upstream, version });
    expect(r).toMatchObject({ status: 'committed', files: ['Cargo.toml'], forkVersion: '1.2.0-fork.1' });
    expect(r.checks).toStrictEqual({ lockEntries: null, locked: { before: 'no-lock', after: 'skipped' } });
    expect(git(f.clone, 'rev-parse', 'HEAD~1')).toBe(head);
    expect(git(f.clone, 'show', '--name-only', '--format=', 'HEAD')).toBe('Cargo.toml');
    expect(readFileSync(join(f.clone, 'Cargo.lock'), 'utf8')).toBe(lock);
    expect(git(f.clone, 'status', '--porcelain')).toBe('');
  });

  it('E_VERSION_BUMP when git add refuses one path after staging another (a manifest git ignores, a tracked lock): the staged one unstaged, both files put back', async () => {
    const files = cargoWorkspaceFiles('1.2.0');
    // The patch takes Cargo.toml out of git (it stays on disk, ignored); Cargo.lock stays tracked.
    const { f, upstream } = fork(files, [{ files: { '.gitignore': 'Cargo.toml\n' }, message: 'fork: keep the manifest local' }]);
    git(f.clone, 'rm', '--cached', '-q', 'Cargo.toml');
    git(f.clone, 'commit', '-q', '-m', 'fork: untrack the manifest');
    const head = git(f.clone, 'rev-parse', 'HEAD');
    const r = await bumpVersion(run, { cwd: f.clone, upstreamSha: upstream, version });
    expect(failure(r)).toEqual({ status: 'failed', code: 'E_VERSION_BUMP', message: 'git add failed: The following paths are ignored by one of your .gitignore files:' });
    // git add staged Cargo.lock before refusing Cargo.toml: without the unstage, the index would keep it.
    expectUntouched(f, head, { 'Cargo.toml': files['Cargo.toml'], 'Cargo.lock': files['Cargo.lock'] });
  });

  it('E_VERSION_BUMP when git add fails (the index is locked): nothing staged, the files put back', async () => {
    const files = cargoWorkspaceFiles('1.2.0');
    const { f, upstream, head } = fork(files);
    writeFile(f.clone, '.git/index.lock', '');
    const r = await bumpVersion(run, { cwd: f.clone, upstreamSha: upstream, version });
    expect(failure(r)).toMatchObject({ status: 'failed', code: 'E_VERSION_BUMP', message: expect.stringMatching(/^git add failed: fatal: Unable to create .*index\.lock': File exists\.$/) });
    rmSync(join(f.clone, '.git/index.lock'));
    expectUntouched(f, head, { 'Cargo.toml': files['Cargo.toml'], 'Cargo.lock': files['Cargo.lock'] });
  });

  it('E_VERSION_BUMP when git commit fails (a pre-commit hook refuses): index reset, files put back', async () => {
    const files = cargoWorkspaceFiles('1.2.0');
    const { f, upstream, head } = fork(files);
    writeFile(f.clone, '.git/hooks/pre-commit', '#!/bin/sh\necho "pre-commit: version bumps need review" >&2\nexit 1\n');
    chmodSync(join(f.clone, '.git/hooks/pre-commit'), 0o755);
    const r = await bumpVersion(run, { cwd: f.clone, upstreamSha: upstream, version });
    expect(failure(r)).toEqual({ status: 'failed', code: 'E_VERSION_BUMP', message: 'git commit of the version bump failed (exit 1): pre-commit: version bumps need review' });
    expect(r.files).toEqual(['Cargo.toml', 'Cargo.lock']);
    expectUntouched(f, head, { 'Cargo.toml': files['Cargo.toml'], 'Cargo.lock': files['Cargo.lock'] });
  });
});

describe('bumpFailure', () => {
  const base: BumpResult = { status: 'failed', upstreamVersion: null, forkVersion: null, previousVersion: null, source: null, commit: null, files: [], members: [], checks: null };
  it.each([
    ['the bump error, code and details kept', { code: 'E_TOOL_MISSING', message: 'cargo not found', details: { tool: 'cargo' } }, 'E_TOOL_MISSING', 'version bump failed: cargo not found', { tool: 'cargo' }],
    ['no error recorded', undefined, 'E_VERSION_BUMP', 'version bump failed: unknown error', {}],
  ] as const)('%s', (_name, error, code, message, details) => {
    const e = bumpFailure({ ...base, ...(error ? { error: { ...error, details: { ...error.details } } } : {}) });
    expect(e).toBeInstanceOf(RebaseDailyError);
    expect({ code: e.code, message: e.message, exitCode: e.exitCode, details: e.details }).toEqual({ code, message, exitCode: EXIT.internal, details });
  });
});
