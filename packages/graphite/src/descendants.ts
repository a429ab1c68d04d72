import type { CommandResult, Runner } from '@rebase-daily/core';
import { GT_ENV } from './gt-bin.js';
import { parseGtLsClassic } from './gt-ls.js';
import { readBranchMetadata } from './metadata-db.js';

/** One tracked branch: its recorded parent and tip. */
export interface BranchNode {
  branch: string;
  parent: string;
  tip: string | null;
  /** Graphite's verdict: `(needs restack)` in `gt ls`, or a diverged branch gt no longer shows. */
  needsRestack: boolean;
  /** gt's validation flag from its metadata (e.g. BAD_PARENT_REVISION: moved by plain git), when read. */
  validation?: string | null;
}

/** Every branch Graphite tracks above the trunk, parents before children. */
export interface DescendantTree {
  trunk: string;
  trunkTip: string | null;
  branches: BranchNode[];
  /** Where the parent links came from: gt's metadata database, or `gt ls` alone when it could not be read. */
  source: 'metadata-db' | 'gt-ls';
}

export type DiscoverResult = { ok: true; tree: DescendantTree } | { ok: false; result: CommandResult };

/** refs/heads name → SHA, in one call. */
export async function branchTips(run: Runner, repo: string): Promise<Map<string, string>> {
  const r = await run('git', ['for-each-ref', '--format=%(refname:short) %(objectname)', 'refs/heads/'], { cwd: repo });
  const tips = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const [name, sha] = line.trim().split(' ');
    if (name && sha) tips.set(name, sha);
  }
  return tips;
}

/**
 * Discover the whole tracked tree above the trunk (see the README for the choice of source):
 * parent links from gt's metadata database, which lists every tracked branch, including ones that
 * were moved with plain git and that `gt ls` then silently leaves out; Graphite's "needs restack"
 * verdict from one `gt ls --classic`; tips from git. Without a readable database, `gt ls` alone.
 */
export async function discoverDescendants(
  run: Runner,
  repo: string,
  gt: string,
  trunk: string,
  timeoutMs: number,
  metadataDb?: string,
): Promise<DiscoverResult> {
  const r = await run(gt, ['ls', '--classic', '--no-interactive'], { cwd: repo, env: GT_ENV, timeoutMs });
  if (r.exitCode !== 0 || r.timedOut) return { ok: false, result: r };
  const tips = await branchTips(run, repo);
  const listed = parseGtLsClassic(r.stdout);
  const needs = new Set(listed.filter((e) => e.needsRestack).map((e) => e.branch));
  const rows = metadataDb ? await readBranchMetadata(metadataDb) : null;
  if (rows) {
    const shown = new Set(listed.map((e) => e.branch));
    const byParent = new Map<string, typeof rows>();
    for (const row of rows) if (row.parent && tips.has(row.branch)) byParent.set(row.parent, [...(byParent.get(row.parent) ?? []), row]);
    const branches: BranchNode[] = [];
    const queue = [trunk];
    const seen = new Set(queue);
    while (queue.length) {
      const parent = queue.shift() as string;
      for (const row of (byParent.get(parent) ?? []).sort((a, b) => a.branch.localeCompare(b.branch))) {
        if (seen.has(row.branch)) continue;
        seen.add(row.branch);
        queue.push(row.branch);
        const hidden = !shown.has(row.branch);
        branches.push({ branch: row.branch, parent, tip: tips.get(row.branch) ?? null, needsRestack: needs.has(row.branch) || hidden, validation: row.validation });
      }
    }
    return { ok: true, tree: { trunk, trunkTip: tips.get(trunk) ?? null, branches, source: 'metadata-db' } };
  }
  const branches: BranchNode[] = listed
    .filter((e) => e.parent !== null && e.branch !== trunk)
    .map((e) => ({ branch: e.branch, parent: e.parent as string, tip: tips.get(e.branch) ?? null, needsRestack: e.needsRestack }));
  return { ok: true, tree: { trunk, trunkTip: tips.get(trunk) ?? null, branches, source: 'gt-ls' } };
}

/** The trunk's direct children: the roots of the stacks a human publishes with `gt submit --stack`. */
export function stackRoots(tree: DescendantTree): string[] {
  return tree.branches.filter((b) => b.parent === tree.trunk).map((b) => b.branch);
}

/** `branch` and everything above it. */
export function subtree(tree: DescendantTree, branch: string): string[] {
  const out = [branch];
  for (let i = 0; i < out.length; i++) for (const b of tree.branches) if (b.parent === out[i]) out.push(b.branch);
  return out;
}
