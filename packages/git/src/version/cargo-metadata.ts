import { dirname } from 'node:path';
import { errors, toolchainPinMessage, type Runner } from '@rebase-daily/core';
import { parseToml } from './cargo-manifest.js';
import { versionError } from './upstream-version.js';

/** A workspace member as cargo names it. */
export interface CargoMember {
  name: string;
  version: string;
  manifestPath: string;
}

/** What the bump checks: the members' lock entries, and whether cargo still accepts the lock. */
export interface BumpChecks {
  /** Every member (per cargo) whose Cargo.lock entry does not carry the member's version. */
  lockEntries: { members: number; stale: { name: string; lock: string; want: string }[]; missing: string[] } | null;
  /** `cargo metadata --locked --offline` before and after the edit; after runs only when before passed. */
  locked: { before: 'ok' | 'failed' | 'no-lock'; after: 'ok' | 'failed' | 'skipped'; error?: string };
}

const CARGO_TIMEOUT_MS = 120_000;

/**
 * The workspace members in `cargo metadata --no-deps --format-version 1` output: the packages whose
 * ids are in `workspace_members` (with --no-deps that is every package listed). Pure.
 */
export function parseCargoMetadata(stdout: string): CargoMember[] {
  const doc = JSON.parse(stdout) as { packages?: { id: string; name: string; version: string; manifest_path: string }[]; workspace_members?: string[] };
  const ids = new Set(doc.workspace_members ?? []);
  return (doc.packages ?? []).filter((p) => ids.has(p.id)).map((p) => ({ name: p.name, version: p.version, manifestPath: p.manifest_path }));
}

/**
 * The members of the workspace at `manifestPath`, from real cargo: cargo is the authority on who is a
 * member (globs, `exclude`, and path dependencies inside the workspace root that become members).
 * Offline and without resolving dependencies. Throws E_TOOL_MISSING when cargo is not installed.
 */
export async function cargoWorkspaceMembers(run: Runner, manifestPath: string, cargo = 'cargo'): Promise<CargoMember[]> {
  const r = await run(cargo, ['metadata', '--no-deps', '--format-version', '1', '--offline', '--manifest-path', manifestPath], {
    cwd: dirname(manifestPath),
    env: { CARGO_TERM_COLOR: 'never' },
    timeoutMs: CARGO_TIMEOUT_MS,
  });
  if (r.spawnError) throw cargoMissing(cargo, 'the version bump: cargo metadata names the workspace members');
  if (r.exitCode !== 0) {
    // A toolchain the fork pins and this host lacks is not a manifest problem: name the pin and the install.
    const pin = toolchainPinMessage(r.stderr, dirname(manifestPath));
    throw versionError(pin ? `cargo metadata --no-deps failed: ${pin}` : `cargo metadata --no-deps failed (exit ${r.exitCode}): ${lastLine(r.stderr)}; fix the workspace manifest`);
  }
  try {
    return parseCargoMetadata(r.stdout);
  } catch (err) {
    throw versionError(`cargo metadata printed no JSON (${(err as Error).message})`);
  }
}

/** Does cargo accept the lock as it is (`cargo metadata --locked --offline`)? A probe: failure is an answer. */
export async function cargoAcceptsLock(run: Runner, manifestPath: string, cargo = 'cargo'): Promise<{ ok: boolean; error?: string }> {
  const r = await run(cargo, ['metadata', '--locked', '--offline', '--format-version', '1', '--manifest-path', manifestPath], {
    cwd: dirname(manifestPath),
    env: { CARGO_TERM_COLOR: 'never' },
    timeoutMs: CARGO_TIMEOUT_MS,
  });
  if (r.spawnError) throw cargoMissing(cargo, 'the version bump: cargo metadata --locked checks the lock');
  return r.exitCode === 0 ? { ok: true } : { ok: false, error: lastLine(r.stderr) };
}

/** Members whose local Cargo.lock entry carries another version than cargo reports, and members with no entry. Pure. */
export function staleLockEntries(lockText: string, members: readonly CargoMember[]): NonNullable<BumpChecks['lockEntries']> {
  const doc = parseToml(lockText);
  const local = new Map<string, string[]>();
  for (const p of Array.isArray(doc.package) ? (doc.package as Record<string, unknown>[]) : []) {
    if (p.source !== undefined || typeof p.name !== 'string' || typeof p.version !== 'string') continue;
    local.set(p.name, [...(local.get(p.name) ?? []), p.version]);
  }
  const stale: { name: string; lock: string; want: string }[] = [];
  const missing: string[] = [];
  for (const m of members) {
    const versions = local.get(m.name);
    if (!versions) missing.push(m.name);
    else if (!versions.includes(m.version)) stale.push({ name: m.name, lock: versions.join(', '), want: m.version });
  }
  return { members: members.length, stale, missing };
}

function cargoMissing(cargo: string, neededFor: string) {
  return errors.toolMissing(`${cargo} not found on PATH (needed for ${neededFor}); install Rust with rustup (https://rustup.rs), or remove "version" from the config to turn bumps off`, { tool: 'cargo' });
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => l.startsWith('error')) ?? lines[lines.length - 1] ?? '';
}
