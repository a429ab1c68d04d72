import { currentBranch, revParse, type Runner } from '@rebase-daily/core';
import { readGraphiteRepo } from '@rebase-daily/graphite';
import { isJustfileName } from '@rebase-daily/cargo-validate';

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
  /** --trunk, else Graphite's trunk, else the checked-out branch unless it is the upstream branch. */
  trunk: string | null;
  /** Folder (relative to the repo, '.' for the root) holding a Cargo.toml with [workspace]. */
  cargoWorkspace: string | null;
  /** Whether that folder (or the repo root) has a justfile. */
  justfile: boolean;
  /** `[workspace.package] version` is set: a version bump could be configured. */
  workspaceVersion: string | null;
}

const SKIP_DIRS = new Set(['node_modules', 'target', 'dist', 'build', 'vendor']);

/** Entries of a folder in a commit's tree: `git ls-tree` (the trunk's tree, not whatever is checked out). */
async function lsTree(run: Runner, repo: string, treeish: string, dir: string): Promise<{ name: string; type: string }[]> {
  const r = await run('git', ['ls-tree', dir === '.' ? treeish : `${treeish}:${dir}`], { cwd: repo });
  if (r.exitCode !== 0) return [];
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [meta, name] = line.split('\t');
      return { name, type: meta.split(' ')[1] };
    });
}

async function showFile(run: Runner, repo: string, treeish: string, path: string): Promise<string | null> {
  const r = await run('git', ['show', `${treeish}:${path}`], { cwd: repo });
  return r.exitCode === 0 ? r.stdout : null;
}

/** A Cargo.toml that declares a workspace in `treeish`, at the root or one folder down (e.g. codex-rs/). */
export async function findCargoWorkspace(run: Runner, repo: string, treeish: string): Promise<{ dir: string; manifest: string } | null> {
  const manifestAt = async (dir: string) => {
    const text = await showFile(run, repo, treeish, dir === '.' ? 'Cargo.toml' : `${dir}/Cargo.toml`);
    return text && /^\s*\[workspace\]/m.test(text) ? text : null;
  };
  const root = await manifestAt('.');
  if (root) return { dir: '.', manifest: root };
  const subdirs = (await lsTree(run, repo, treeish, '.'))
    .filter((e) => e.type === 'tree' && !e.name.startsWith('.') && !SKIP_DIRS.has(e.name))
    .map((e) => e.name)
    .sort();
  for (const dir of subdirs) {
    const manifest = await manifestAt(dir);
    if (manifest) return { dir, manifest };
  }
  return null;
}

/** `version = "x"` under `[workspace.package]`. */
export function workspacePackageVersion(manifest: string): string | null {
  const section = /^\s*\[workspace\.package\]\s*$([\s\S]*?)(?=^\s*\[|(?![\s\S]))/m.exec(manifest);
  const m = section ? /^\s*version\s*=\s*"([^"]+)"/m.exec(section[1]) : null;
  return m ? m[1] : null;
}

/**
 * Read-only detection: remotes, Graphite trunk, upstream default branch, and — in the trunk's tree,
 * whatever is checked out — a Cargo workspace and a justfile.
 */
export async function detectFork(run: Runner, repo: string, trunkOverride?: string): Promise<Detected> {
  const remotes = (await run('git', ['remote'], { cwd: repo })).stdout.split('\n').map((s) => s.trim()).filter(Boolean);
  const fork = remotes.includes('origin') ? 'origin' : (remotes.find((r) => r !== 'upstream') ?? 'origin');
  const upstreamRemoteExists = remotes.includes('upstream') || remotes.some((r) => r !== fork);
  const upstream = remotes.includes('upstream') ? 'upstream' : (remotes.find((r) => r !== fork) ?? 'upstream');
  let upstreamBranch = 'main';
  const head = await run('git', ['symbolic-ref', '--quiet', '--short', `refs/remotes/${upstream}/HEAD`], { cwd: repo });
  if (head.exitCode === 0 && head.stdout.trim().startsWith(`${upstream}/`)) upstreamBranch = head.stdout.trim().slice(upstream.length + 1);
  else if (!(await revParse(run, repo, `refs/remotes/${upstream}/main`)) && (await revParse(run, repo, `refs/remotes/${upstream}/master`))) upstreamBranch = 'master';
  const graphite = await readGraphiteRepo(run, repo);
  const branch = await currentBranch(run, repo);
  const trunk = trunkOverride ?? graphite?.trunk ?? (branch && branch !== upstreamBranch ? branch : null);
  const treeish = trunk && (await revParse(run, repo, `refs/heads/${trunk}`)) ? `refs/heads/${trunk}` : 'HEAD';
  const cargo = await findCargoWorkspace(run, repo, treeish);
  const names = async (dir: string) => (await lsTree(run, repo, treeish, dir)).map((e) => e.name);
  const justfile = cargo ? [...(await names(cargo.dir)), ...(await names('.'))].some(isJustfileName) : false;
  return {
    repo,
    remotes,
    fork,
    upstream,
    upstreamRemoteExists,
    upstreamBranch,
    graphiteTrunk: graphite?.trunk ?? null,
    currentBranch: branch,
    trunk,
    cargoWorkspace: cargo?.dir ?? null,
    justfile,
    workspaceVersion: cargo ? workspacePackageVersion(cargo.manifest) : null,
  };
}
