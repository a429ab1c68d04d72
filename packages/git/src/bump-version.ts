import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { RebaseDailyError, toErrorRecord, type ErrorRecord, type Runner } from '@rebase-daily/core';
import { manifestVersion, setLockVersions, setManifestVersion } from './version/cargo-manifest.js';
import { forkVersionOf, upstreamVersion, versionError, type VersionConfig } from './version/upstream-version.js';
import { workspaceMembers } from './version/workspace-members.js';

export interface BumpVersionOptions {
  /** Worktree with the trunk checked out (clean). The commit lands on its current branch. */
  cwd: string;
  /** The upstream commit the fork version derives from (the pinned upstream SHA). */
  upstreamSha: string;
  version: VersionConfig;
}

export interface BumpResult {
  status: 'unchanged' | 'committed' | 'failed';
  upstreamVersion: string | null;
  forkVersion: string | null;
  previousVersion: string | null;
  /** Where the upstream version came from. */
  source: string | null;
  commit: string | null;
  /** Files written, relative to cwd. */
  files: string[];
  /** Workspace members whose Cargo.lock entry follows the workspace version. */
  members: string[];
  error?: ErrorRecord;
}

/**
 * Set the fork version (upstream version + suffix) in the Cargo workspace and commit it.
 * Idempotent: when the manifest and the lock already say so, nothing is written or committed.
 * Writes `[workspace.package] version` and the `Cargo.lock` entries of the members that inherit
 * it, so `cargo metadata --locked --offline` keeps passing.
 */
export async function bumpVersion(run: Runner, options: BumpVersionOptions): Promise<BumpResult> {
  const result: BumpResult = { status: 'failed', upstreamVersion: null, forkVersion: null, previousVersion: null, source: null, commit: null, files: [], members: [] };
  try {
    const { cwd, version } = options;
    const up = await upstreamVersion(run, cwd, options.upstreamSha, version);
    result.upstreamVersion = up.version;
    result.source = up.from;
    const target = forkVersionOf(up.version, version.suffix);
    result.forkVersion = target;

    const manifestPath = join(cwd, version.manifest);
    if (!existsSync(manifestPath)) throw versionError(`${version.manifest} not found on the trunk; fix version.manifest`);
    const manifestText = readFileSync(manifestPath, 'utf8');
    const current = manifestVersion(manifestText);
    if (!current) throw versionError(`${version.manifest} declares no [workspace.package] version; add one`);
    result.previousVersion = current.version;

    const writes: { path: string; text: string }[] = [];
    if (current.version !== target) writes.push({ path: manifestPath, text: setManifestVersion(manifestText, current.table, target) });

    const members = workspaceMembers(manifestPath).filter((m) => m.inherits || (m.dir === '' && current.table === 'package'));
    result.members = members.map((m) => m.name);
    const lockPath = join(dirname(manifestPath), 'Cargo.lock');
    if (existsSync(lockPath) && members.length) {
      const lock = setLockVersions(readFileSync(lockPath, 'utf8'), new Set(result.members), target);
      if (lock.changed.length) writes.push({ path: lockPath, text: lock.text });
    }
    if (!writes.length) {
      result.status = 'unchanged';
      return result;
    }
    for (const w of writes) writeFileSync(w.path, w.text);
    result.files = writes.map((w) => relative(cwd, w.path));
    const message = version.commitMessage.replaceAll('{version}', target);
    const add = await run('git', ['add', '--', ...result.files], { cwd });
    if (add.exitCode !== 0) throw versionError(`git add failed: ${add.stderr.split('\n')[0]}`);
    // Commit only these paths: the trunk worktree is clean, but be explicit about what the bump owns.
    const commit = await run('git', ['commit', '--quiet', '-m', message, '--', ...result.files], { cwd });
    if (commit.exitCode !== 0) {
      await run('git', ['checkout', 'HEAD', '--', ...result.files], { cwd });
      throw versionError(`git commit of the version bump failed (exit ${commit.exitCode}): ${commit.stderr.split('\n')[0]}`);
    }
    const head = await run('git', ['rev-parse', 'HEAD'], { cwd });
    result.commit = head.stdout.trim();
    result.status = 'committed';
    return result;
  } catch (err) {
    result.status = 'failed';
    // Edit guards throw plain Errors; report them under the bump's own code.
    result.error = toErrorRecord(err instanceof RebaseDailyError ? err : versionError(`${options.version.manifest}: ${(err as Error).message}`));
    return result;
  }
}
