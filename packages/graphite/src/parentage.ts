import { isAncestor, type Runner } from '@rebase-daily/core';
import { subtree, type DescendantTree } from './descendants.js';

/** A tracked branch that does not contain its recorded parent's tip. */
export interface ParentageDrift {
  branch: string;
  parent: string;
  parentTip: string | null;
  tip: string | null;
  /** The nearest tracked branch (or the trunk) the branch does contain: what git history says its parent is. */
  actualParent: string | null;
  /** Commands a human runs to repair it, most likely first. */
  recovery: string[];
}

/**
 * Prove parentage with git, not with Graphite's word: every tracked branch must contain its
 * parent's tip (`git merge-base --is-ancestor parentTip tip`). For each branch that does not,
 * name the parent git history points to and the `gt track --parent` line that records it.
 */
export async function verifyParentage(run: Runner, repo: string, tree: DescendantTree): Promise<ParentageDrift[]> {
  const tipOf = new Map<string, string | null>([[tree.trunk, tree.trunkTip], ...tree.branches.map((b) => [b.branch, b.tip] as const)]);
  const drift: ParentageDrift[] = [];
  for (const node of tree.branches) {
    const parentTip = tipOf.get(node.parent) ?? null;
    if (node.tip && parentTip && (await isAncestor(run, repo, parentTip, node.tip))) continue;
    const actualParent = node.tip ? await nearestContainedBranch(run, repo, tree, node.branch, node.tip) : null;
    const recovery: string[] = [];
    if (actualParent && actualParent !== node.parent) recovery.push(`gt track --parent ${actualParent} ${node.branch}`);
    recovery.push(`gt restack --branch ${node.branch}   # keep ${node.parent} as the parent and rebase onto it`);
    drift.push({ branch: node.branch, parent: node.parent, parentTip, tip: node.tip, actualParent, recovery });
  }
  return drift;
}

/** Among the trunk and tracked branches outside `branch`'s own subtree, the newest one `tip` contains. */
async function nearestContainedBranch(run: Runner, repo: string, tree: DescendantTree, branch: string, tip: string): Promise<string | null> {
  const own = new Set(subtree(tree, branch));
  const candidates: { name: string; tip: string }[] = [];
  for (const [name, t] of [[tree.trunk, tree.trunkTip] as const, ...tree.branches.map((b) => [b.branch, b.tip] as const)]) {
    if (!t || own.has(name)) continue;
    if (await isAncestor(run, repo, t, tip)) candidates.push({ name, tip: t });
  }
  let best: { name: string; tip: string } | null = null;
  for (const c of candidates) if (!best || (c.tip !== best.tip && (await isAncestor(run, repo, best.tip, c.tip)))) best = c;
  return best?.name ?? null;
}
