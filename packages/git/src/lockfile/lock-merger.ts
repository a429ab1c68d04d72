/**
 * A lock file merged by its structure instead of by text hunks. The replay engines hand a merger
 * the three versions of a lock file a patch conflicts in — base (the patch's parent), ours (the new
 * base the patch is replayed onto: upstream plus the patches before it) and theirs (the patch) —
 * and the versions the workspace's manifests declare after the merge.
 */
export interface LockMergeInput {
  base: string;
  ours: string;
  theirs: string;
  /** Workspace member name → the version its manifest has after the merge. */
  members?: ReadonlyMap<string, string>;
}

/** One entry of the merged lock that differs from ours: what the merge took from the patch. */
export interface LockEntryChange {
  name: string;
  /** The entry's version in the merged lock (ours' for a removal). */
  version: string;
  change: 'added' | 'removed' | 'changed';
  /** For `changed`: the fields that differ from ours (`version`, `checksum`, `dependencies`, …). */
  fields?: string[];
}

export type LockMergeResult =
  | { ok: true; text: string; entries: LockEntryChange[] }
  /** The merge cannot be settled by structure: one line per finding (the same field changed both ways, …). */
  | { ok: false; findings: string[] };

export interface LockMerger {
  /** The lock's file name (`Cargo.lock`): a conflicted path whose last segment is this name uses this merger. */
  readonly fileName: string;
  merge(input: LockMergeInput): LockMergeResult;
}
