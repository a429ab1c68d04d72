import { currentBranch, revParse, type Runner } from '@rebase-daily/core';
import { readGraphiteRepo } from '@rebase-daily/graphite';
import { isJustfileName } from '@rebase-daily/cargo-validate';
import { justRecipes } from './just-recipes.js';

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
  /** Folder (relative to the repo, '.' for the root) holding the Cargo.toml validation runs in: a workspace, else a single crate. */
  cargoWorkspace: string | null;
  /** What that Cargo.toml declares: `[workspace]` or a single crate's `[package]`. */
  cargoKind: 'workspace' | 'crate' | null;
  /** Whether that folder (or the repo root) has a justfile. */
  justfile: boolean;
  /** The recipes that justfile defines (`fmt`, `test`, …), read from the trunk's tree. */
  justRecipes: string[];
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

/** What a Cargo.toml declares: a workspace wins over the `[package]` a workspace root may also have. */
export function cargoManifestKind(manifest: string): 'workspace' | 'crate' | null {
  if (/^\s*\[workspace\]/m.test(manifest)) return 'workspace';
  return /^\s*\[package\]/m.test(manifest) ? 'crate' : null;
}

/**
 * The Cargo project validation runs in, in `treeish`: a Cargo.toml declaring a workspace at the
 * root or one folder down (e.g. codex-rs/), else a single crate's Cargo.toml at the root or one
 * folder down. A workspace one folder down wins over a crate at the root.
 */
export async function findCargoProject(run: Runner, repo: string, treeish: string): Promise<{ dir: string; manifest: string; kind: 'workspace' | 'crate' } | null> {
  const subdirs = (await lsTree(run, repo, treeish, '.'))
    .filter((e) => e.type === 'tree' && !e.name.startsWith('.') && !SKIP_DIRS.has(e.name))
    .map((e) => e.name)
    .sort();
  const found: { dir: string; manifest: string; kind: 'workspace' | 'crate' }[] = [];
  for (const dir of ['.', ...subdirs]) {
    const manifest = await showFile(run, repo, treeish, dir === '.' ? 'Cargo.toml' : `${dir}/Cargo.toml`);
    const kind = manifest ? cargoManifestKind(manifest) : null;
    if (manifest && kind === 'workspace') return { dir, manifest, kind };
    if (manifest && kind) found.push({ dir, manifest, kind });
  }
  return found[0] ?? null;
}

/** A Cargo.toml that declares a workspace in `treeish`, at the root or one folder down (e.g. codex-rs/). */
export async function findCargoWorkspace(run: Runner, repo: string, treeish: string): Promise<{ dir: string; manifest: string } | null> {
  const p = await findCargoProject(run, repo, treeish);
  return p?.kind === 'workspace' ? { dir: p.dir, manifest: p.manifest } : null;
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
  const cargo = await findCargoProject(run, repo, treeish);
  // just looks in the working directory, then upward: the Cargo folder's justfile, else the root's.
  const justPath = async (dir: string) => {
    const name = (await lsTree(run, repo, treeish, dir)).find((e) => e.type === 'blob' && isJustfileName(e.name))?.name;
    return name ? (dir === '.' ? name : `${dir}/${name}`) : null;
  };
  const justfilePath = cargo ? ((await justPath(cargo.dir)) ?? (cargo.dir === '.' ? null : await justPath('.'))) : null;
  const recipes = justfilePath ? justRecipes((await showFile(run, repo, treeish, justfilePath)) ?? '') : [];
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
    cargoKind: cargo?.kind ?? null,
    justfile: justfilePath !== null,
    justRecipes: recipes,
    workspaceVersion: cargo?.kind === 'workspace' ? workspacePackageVersion(cargo.manifest) : null,
  };
}
