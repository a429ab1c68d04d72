import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentBranch, revParse, type Runner } from '@rebase-daily/core';
import { readGraphiteRepo } from '@rebase-daily/graphite';

/** What `rebase-daily init` found in a fork. */
export interface Detected {
  repo: string;
  remotes: string[];
  fork: string;
  upstream: string;
  upstreamRemoteExists: boolean;
  upstreamBranch: string;
  graphiteTrunk: string | null;
  currentBranch: string | null;
  /** Folder (relative to the repo, '.' for the root) holding a Cargo.toml with [workspace]. */
  cargoWorkspace: string | null;
  /** Whether that folder (or the repo root) has a justfile. */
  justfile: boolean;
  /** `[workspace.package] version` is set: a version bump could be configured. */
  workspaceVersion: string | null;
}

const SKIP_DIRS = new Set(['node_modules', 'target', 'dist', 'build', 'vendor']);
const JUSTFILES = ['justfile', 'Justfile', '.justfile'];

/** A Cargo.toml that declares a workspace, at the root or one folder down (e.g. codex-rs/). */
export function findCargoWorkspace(repo: string): string | null {
  const isWorkspace = (dir: string) => {
    const file = join(dir, 'Cargo.toml');
    return existsSync(file) && /^\s*\[workspace\]/m.test(readFileSync(file, 'utf8'));
  };
  if (isWorkspace(repo)) return '.';
  const subdirs = readdirSync(repo, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !SKIP_DIRS.has(d.name))
    .map((d) => d.name)
    .sort();
  return subdirs.find((d) => isWorkspace(join(repo, d))) ?? null;
}

/** `version = "x"` under `[workspace.package]`. */
export function workspacePackageVersion(manifest: string): string | null {
  const section = /^\s*\[workspace\.package\]\s*$([\s\S]*?)(?=^\s*\[|(?![\s\S]))/m.exec(manifest);
  const m = section ? /^\s*version\s*=\s*"([^"]+)"/m.exec(section[1]) : null;
  return m ? m[1] : null;
}

/** Read-only detection: remotes, Graphite trunk, upstream default branch, Cargo workspace, justfile. */
export async function detectFork(run: Runner, repo: string): Promise<Detected> {
  const remotes = (await run('git', ['remote'], { cwd: repo })).stdout.split('\n').map((s) => s.trim()).filter(Boolean);
  const fork = remotes.includes('origin') ? 'origin' : (remotes.find((r) => r !== 'upstream') ?? 'origin');
  const upstreamRemoteExists = remotes.includes('upstream') || remotes.some((r) => r !== fork);
  const upstream = remotes.includes('upstream') ? 'upstream' : (remotes.find((r) => r !== fork) ?? 'upstream');
  let upstreamBranch = 'main';
  const head = await run('git', ['symbolic-ref', '--quiet', '--short', `refs/remotes/${upstream}/HEAD`], { cwd: repo });
  if (head.exitCode === 0 && head.stdout.trim().startsWith(`${upstream}/`)) upstreamBranch = head.stdout.trim().slice(upstream.length + 1);
  else if (!(await revParse(run, repo, `refs/remotes/${upstream}/main`)) && (await revParse(run, repo, `refs/remotes/${upstream}/master`))) upstreamBranch = 'master';
  const graphite = await readGraphiteRepo(run, repo);
  const cargoWorkspace = findCargoWorkspace(repo);
  const cargoDir = cargoWorkspace ? join(repo, cargoWorkspace) : null;
  const justfile = [cargoDir, repo].some((d) => d && JUSTFILES.some((f) => existsSync(join(d, f))));
  const workspaceVersion = cargoDir ? workspacePackageVersion(readFileSync(join(cargoDir, 'Cargo.toml'), 'utf8')) : null;
  return {
    repo,
    remotes,
    fork,
    upstream,
    upstreamRemoteExists,
    upstreamBranch,
    graphiteTrunk: graphite?.trunk ?? null,
    currentBranch: await currentBranch(run, repo),
    cargoWorkspace,
    justfile,
    workspaceVersion,
  };
}
