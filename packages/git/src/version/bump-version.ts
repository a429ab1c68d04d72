import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { EXIT, RebaseDailyError, toErrorRecord, type ErrorRecord, type Runner } from '@rebase-daily/core';
import { manifestVersion, setLockVersions, setManifestVersion } from './cargo-manifest.js';
import { cargoAcceptsLock, cargoWorkspaceMembers, staleLockEntries, type BumpChecks, type CargoMember } from './cargo-metadata.js';
import { BUMP_TRAILER } from './superseded-bumps.js';
import { forkVersionOf, upstreamVersion, versionError, type VersionConfig } from './upstream-version.js';

export interface BumpVersionOptions {
  /** Worktree with the trunk checked out (clean). The commit lands on its current branch. */
  cwd: string;
  /** The upstream commit the fork version derives from (the pinned upstream SHA). */
  upstreamSha: string;
  version: VersionConfig;
  /** The cargo program (default `cargo` on PATH). */
  cargo?: string;
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
  /** Workspace members (per cargo metadata) that carry the fork version. */
  members: string[];
  /** The lock checks: every member's lock entry, and `cargo metadata --locked --offline` before/after. */
  checks: BumpChecks | null;
  error?: ErrorRecord;
}

/**
 * Set the fork version (upstream version + suffix) in the Cargo workspace and commit it, with a
 * `Rebase-Daily-Bump: <version>` trailer (how the next day's run recognises it as superseded).
 * Writes `[workspace.package] version` (or the root `[package] version`) and the `Cargo.lock`
 * entries of every member cargo lists (`cargo metadata --no-deps`, real cargo: globs, excludes and
 * path dependencies inside the workspace root all count), then checks that each member's lock entry
 * carries its version and that `cargo metadata --locked --offline` still passes where it passed
 * before. A failed check writes nothing. Idempotent: when manifest and lock already agree, nothing
 * is written or committed.
 */
export async function bumpVersion(run: Runner, options: BumpVersionOptions): Promise<BumpResult> {
  // 'failed' until a path returns 'unchanged' or 'committed' (nothing can throw after either is set).
  const result: BumpResult = { status: 'failed', upstreamVersion: null, forkVersion: null, previousVersion: null, source: null, commit: null, files: [], members: [], checks: null };
  const originals: { path: string; text: string }[] = [];
  const putBack = () => {
    for (const o of originals) writeFileSync(o.path, o.text);
  };
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
    const lockPath = join(dirname(manifestPath), 'Cargo.lock');
    // A Cargo.lock git does not track (ignored, as library crates often do) is the user's file and
    // no part of the bump commit: left alone, as if there were none.
    const lockTracked = existsSync(lockPath) && (await run('git', ['ls-files', '--', lockPath], { cwd })).stdout !== '';
    const lockText = lockTracked ? readFileSync(lockPath, 'utf8') : null;
    const before = lockText === null ? null : await cargoAcceptsLock(run, manifestPath, options.cargo);

    // The manifest first: cargo then reports every member's version as it will be.
    if (current.version !== target) {
      originals.push({ path: manifestPath, text: manifestText });
      writeFileSync(manifestPath, setManifestVersion(manifestText, current.table, target));
    }
    const members = await cargoWorkspaceMembers(run, manifestPath, options.cargo);
    result.members = members.filter((m) => m.version === target).map((m) => m.name);
    let nextLock = lockText;
    if (lockText !== null) {
      nextLock = lockWithMemberVersions(lockText, members);
      if (nextLock !== lockText) {
        originals.push({ path: lockPath, text: lockText });
        writeFileSync(lockPath, nextLock);
      }
    }
    const checks: BumpChecks = {
      lockEntries: nextLock === null ? null : staleLockEntries(nextLock, members),
      locked: { before: before === null ? 'no-lock' : before.ok ? 'ok' : 'failed', after: 'skipped' },
    };
    result.checks = checks;
    if (before?.ok) {
      const after = await cargoAcceptsLock(run, manifestPath, options.cargo);
      checks.locked.after = after.ok ? 'ok' : 'failed';
      if (after.error) checks.locked.error = after.error;
    }
    const stale = checks.lockEntries?.stale ?? [];
    if (stale.length) throw versionError(`Cargo.lock entries of ${stale.map((s) => `${s.name} (${s.lock}, want ${s.want})`).join(', ')} do not carry their version after the bump; nothing written`);
    if (checks.locked.after === 'failed') {
      throw versionError(`cargo metadata --locked --offline passed before the bump and fails after it (${checks.locked.error ?? 'no message'}); nothing written`);
    }

    if (!originals.length) {
      result.status = 'unchanged';
      return result;
    }
    result.files = originals.map((w) => relative(cwd, w.path));
    const message = version.commitMessage.replaceAll('{version}', target);
    const add = await run('git', ['add', '--', ...result.files], { cwd });
    if (add.exitCode !== 0) {
      // git add stages the paths it can before refusing one (an ignored Cargo.lock): unstage them.
      await run('git', ['reset', '--quiet', '--', ...result.files], { cwd });
      throw versionError(`git add failed: ${add.stderr.split('\n')[0]}`);
    }
    // Commit only these paths: the trunk worktree is clean, but be explicit about what the bump owns.
    const commit = await run('git', ['commit', '--quiet', '-m', message, '--trailer', `${BUMP_TRAILER}: ${target}`, '--', ...result.files], { cwd });
    if (commit.exitCode !== 0) {
      await run('git', ['reset', '--quiet', '--', ...result.files], { cwd });
      throw versionError(`git commit of the version bump failed (exit ${commit.exitCode}): ${commit.stderr.split('\n')[0]}`);
    }
    originals.length = 0;
    const head = await run('git', ['rev-parse', 'HEAD'], { cwd });
    result.commit = head.stdout;
    result.status = 'committed';
    return result;
  } catch (err) {
    putBack();
    // Edit guards throw plain Errors; report them under the bump's own code.
    result.error = toErrorRecord(err instanceof RebaseDailyError ? err : versionError(`${options.version.manifest}: ${(err as Error).message}`));
    return result;
  }
}

/** The lock with each member's local entry (and the references to it) set to the member's version, as cargo reports it. */
function lockWithMemberVersions(lockText: string, members: readonly CargoMember[]): string {
  const byVersion = new Map<string, Set<string>>();
  for (const m of members) byVersion.set(m.version, (byVersion.get(m.version) ?? new Set()).add(m.name));
  let text = lockText;
  for (const [version, names] of byVersion) text = setLockVersions(text, names, version).text;
  return text;
}

/** The stage error for a failed bump: its own code (E_VERSION_BUMP, E_TOOL_MISSING…), exit 1. */
export function bumpFailure(bump: BumpResult): RebaseDailyError {
  const e = bump.error;
  return new RebaseDailyError(e?.code ?? 'E_VERSION_BUMP', `version bump failed: ${e?.message ?? 'unknown error'}`, EXIT.internal, e?.details ?? {});
}
