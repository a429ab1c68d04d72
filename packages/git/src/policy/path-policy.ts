import { minimatch } from 'minimatch';

/** `conflicts.policy` of the config: which side a conflicted path takes, and paths the fork removed for good. */
export interface PathPolicy {
  prefer: readonly { paths: readonly string[]; prefer: 'fork' | 'upstream' }[];
  removed: readonly string[];
}

export interface PolicyRule {
  rule: 'prefer-fork' | 'prefer-upstream' | 'removed';
  /** The glob that matched. */
  glob: string;
}

const matches = (path: string, glob: string) => minimatch(path, glob, { dot: true });

/**
 * The rule for `path`: a `removed` glob first (the fork deleted it for good), then the first
 * `prefer` entry with a matching glob; undefined when the policy says nothing about it.
 * minimatch: the glob dialect users know from .gitignore-like tools, with `**` across directories.
 */
export function policyFor(path: string, policy: PathPolicy | undefined): PolicyRule | undefined {
  if (!policy) return undefined;
  const removed = policy.removed.find((g) => matches(path, g));
  if (removed) return { rule: 'removed', glob: removed };
  for (const p of policy.prefer) {
    const glob = p.paths.find((g) => matches(path, g));
    if (glob) return { rule: p.prefer === 'fork' ? 'prefer-fork' : 'prefer-upstream', glob };
  }
  return undefined;
}

/** The conflict blocks of a file `git merge-file -p` wrote with markers, each as its lines (markers included). */
export function conflictHunks(text: string): string[] {
  const hunks: string[] = [];
  let current: string[] | null = null;
  for (const line of text.split('\n')) {
    if (current === null && line.startsWith('<<<<<<< ')) current = [line];
    else if (current !== null) {
      current.push(line);
      if (line.startsWith('>>>>>>> ')) {
        hunks.push(current.join('\n'));
        current = null;
      }
    }
  }
  return hunks;
}
