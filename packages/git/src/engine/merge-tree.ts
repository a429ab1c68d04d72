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

/**
 * Length of the first complete answer of `git merge-tree --stdin --name-only` in `pending`, or -1.
 * Each answer is `<status>\0<tree>\0`, for a conflict (status 0) the conflicted paths each
 * `\0`-terminated, an empty field, the messages (`<n>\0<n paths>\0<type>\0<message>\0`...), and
 * finally one `\0` of its own — or, after a submodule conflict, a block of advice text ended by it.
 */
export function mergeReplyLength(pending: string): number {
  const fields = pending.split('\0');
  // The last field is whatever follows the last NUL: never complete.
  const complete = fields.length - 1;
  const lengthUpTo = (i: number) => fields.slice(0, i + 1).reduce((n, f) => n + f.length + 1, 0);
  if (complete < 2) return -1;
  if (fields[0] === '1') return complete >= 3 && fields[2] === '' ? lengthUpTo(2) : -1;
  if (fields[0] !== '0') throw new Error(`git merge-tree --stdin: unexpected answer ${JSON.stringify(pending.slice(0, 80))}`);
  let i = 2;
  while (i < complete && fields[i] !== '') i++; // conflicted paths
  i++; // the empty field that opens the messages
  while (i < complete) {
    if (fields[i] === '') return lengthUpTo(i); // the answer's own terminator
    const n = Number(fields[i]);
    // Free-form advice after the messages (git 2.39 prints one for submodule conflicts:
    // "Recursive merging with submodules currently only supports trivial cases. ..."): its NUL
    // ends the answer.
    if (!/^\d+$/.test(fields[i]) || n <= 0) return lengthUpTo(i);
    i += n + 3;
  }
  return -1;
}

/** Parse one answer of `git merge-tree --stdin --name-only` (see mergeReplyLength). */
export function parseMergeReply(reply: string): MergeTreeResult {
  const clean = reply.startsWith('1\0');
  // Without the status field and the final terminator it is the one-shot layout.
  return parseMergeTree(reply.slice(2, -1), clean ? 0 : 1);
}
