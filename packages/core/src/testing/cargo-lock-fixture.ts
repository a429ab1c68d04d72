import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeDir, writeFile } from './git-fixture.js';

/** A crate of the vendored "registry": cargo locks it with crates.io's source and the checksum from `.cargo-checksum.json`. */
export interface VendoredCrate {
  name: string;
  version: string;
  deps?: Record<string, string>;
  /** Changes the crate's checksum without changing anything else (a re-published crate). */
  checksumSeed?: string;
}

export interface WorkspaceMember {
  name: string;
  /** A literal version; default: the workspace's (`version.workspace = true`). */
  version?: string;
  /** name → version requirement, or `path:../b` for a path dependency. */
  deps?: Record<string, string>;
}

/** A cargo workspace under `crates/`, its registry dependencies vendored (cargo resolves offline, without an index). */
export interface CargoFixture {
  workspaceVersion: string;
  members: WorkspaceMember[];
  vendor: VendoredCrate[];
}

const depLines = (deps: Record<string, string> | undefined) =>
  Object.entries(deps ?? {})
    .map(([n, req]) => (req.startsWith('path:') ? `${n} = { path = "${req.slice(5)}" }` : `${n} = "${req}"`))
    .join('\n');

/** The fixture's files: workspace manifest, members, vendored crates and the cargo config that points crates.io at them. */
export function cargoFixtureFiles(f: CargoFixture): Record<string, string> {
  const files: Record<string, string> = {
    'Cargo.toml': `[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n\n[workspace.package]\nversion = "${f.workspaceVersion}"\nedition = "2021"\n`,
    '.cargo/config.toml': '[source.crates-io]\nreplace-with = "vendored"\n\n[source.vendored]\ndirectory = "vendor"\n',
  };
  for (const m of f.members) {
    const version = m.version ? `version = "${m.version}"` : 'version.workspace = true';
    files[`crates/${m.name}/Cargo.toml`] = `[package]\nname = "${m.name}"\n${version}\nedition = "2021"\n\n[dependencies]\n${depLines(m.deps)}\n`;
    files[`crates/${m.name}/src/lib.rs`] = '\n';
  }
  for (const c of f.vendor) {
    const dir = `vendor/${c.name}-${c.version}`;
    files[`${dir}/Cargo.toml`] = `[package]\nname = "${c.name}"\nversion = "${c.version}"\nedition = "2021"\n\n[dependencies]\n${depLines(c.deps)}\n`;
    files[`${dir}/src/lib.rs`] = '\n';
    const checksum = createHash('sha256').update(`${c.name}@${c.version}${c.checksumSeed ?? ''}`).digest('hex');
    files[`${dir}/.cargo-checksum.json`] = JSON.stringify({ files: {}, package: checksum });
  }
  return files;
}

/** The Cargo.lock real cargo writes for the fixture (`cargo generate-lockfile --offline`). */
export function cargoLockFor(f: CargoFixture): string {
  const dir = makeTempDir('rebase-daily-lock-');
  try {
    for (const [path, content] of Object.entries(cargoFixtureFiles(f))) writeFile(dir, path, content);
    execFileSync('cargo', ['generate-lockfile', '--offline'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    return readFileSync(join(dir, 'Cargo.lock'), 'utf8');
  } finally {
    removeDir(dir);
  }
}

/** Member name → the version its manifest declares. */
export function fixtureMembers(f: CargoFixture): Map<string, string> {
  return new Map(f.members.map((m) => [m.name, m.version ?? f.workspaceVersion]));
}

/**
 * A Rust fork whose version-bump patch conflicts with upstream only in Cargo.lock: the bump changes
 * every member's `version` line in the lock; upstream gives member `c` its first dependency (`qux`),
 * which cargo writes right under c's version line. Files for createForkFixture's `base`, `patches`
 * and `upstreamCommits`, and the lock cargo writes for the merged manifests.
 */
export function rustForkScenario(): {
  base: Record<string, string>;
  patches: { files: Record<string, string>; message: string }[];
  upstreamCommits: { files: Record<string, string>; message: string }[];
  merged: CargoFixture;
  expectedLock: string;
} {
  const base: CargoFixture = {
    workspaceVersion: '0.1.0',
    members: [{ name: 'a', deps: { b: 'path:../b', foo: '1' } }, { name: 'b', deps: { foo: '2' } }, { name: 'c' }],
    vendor: [
      { name: 'foo', version: '1.0.0' },
      { name: 'foo', version: '2.0.0', deps: { bar: '0.5' } },
      { name: 'bar', version: '0.5.0' },
      { name: 'qux', version: '1.2.0' },
    ],
  };
  const bumped: CargoFixture = { ...structuredClone(base), workspaceVersion: '0.1.0-fork.1' };
  const upstream = structuredClone(base);
  upstream.members[2].deps = { qux: '1' };
  const merged = structuredClone(bumped);
  merged.members[2].deps = { qux: '1' };
  const files = (f: CargoFixture) => ({ ...cargoFixtureFiles(f), 'Cargo.lock': cargoLockFor(f) });
  const pick = (f: CargoFixture, paths: string[]) => Object.fromEntries(Object.entries(files(f)).filter(([p]) => paths.includes(p)));
  return {
    base: { ...files(base), 'README.md': 'a rust project\n' },
    patches: [
      { files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes' },
      { files: pick(bumped, ['Cargo.toml', 'Cargo.lock']), message: 'chore(fork): set fork version to 0.1.0-fork.1' },
    ],
    upstreamCommits: [{ files: pick(upstream, ['crates/c/Cargo.toml', 'Cargo.lock']), message: 'upstream: c depends on qux' }],
    merged,
    expectedLock: cargoLockFor(merged),
  };
}
