/** One conflict message from `git merge-tree --write-tree -z` (type such as `CONFLICT (contents)`). */
export interface MergeConflictMessage {
  paths: string[];
  type: string;
  message: string;
}

export interface MergeTreeResult {
  clean: boolean;
  /** The tree written (on conflict: with conflict markers, never used). */
  tree: string;
  /** Unique conflicted paths, in output order: exactly the paths an index would hold unmerged. */
  files: string[];
  /** `CONFLICT (...)` messages only (informational `Auto-merging` lines are left out). */
  conflicts: MergeConflictMessage[];
}

/**
 * Parse `git merge-tree --write-tree --name-only -z` output. Layout (git 2.38+): `<tree>\0`, then on
 * conflict the conflicted paths each `\0`-terminated, an empty field, then messages as
 * `<n>\0<path>\0...<type>\0<message>\0`.
 */
export function parseMergeTree(stdout: string, exitCode: number): MergeTreeResult {
  const fields = stdout.split('\0');
  const tree = fields[0].trim();
  if (exitCode === 0) return { clean: true, tree, files: [], conflicts: [] };
  const files: string[] = [];
  let i = 1;
  for (; i < fields.length && fields[i] !== ''; i++) if (!files.includes(fields[i])) files.push(fields[i]);
  i++;
  const conflicts: MergeConflictMessage[] = [];
  while (i < fields.length) {
    const n = Number(fields[i]);
    if (!Number.isInteger(n) || n <= 0 || i + n + 2 >= fields.length) break;
    const paths = fields.slice(i + 1, i + 1 + n);
    const type = fields[i + 1 + n];
    const message = fields[i + 2 + n].replace(/\n$/, '');
    if (type.startsWith('CONFLICT')) conflicts.push({ paths, type, message });
    i += n + 3;
  }
  return { clean: false, tree, files, conflicts };
}
