import type { LockMerge } from '@rebase-daily/core';

/** "patch 18/28: Cargo.lock merged by structure, 3 entries" — one line per merged lock, for progress and summaries. */
export function describeLockMerge(m: LockMerge): string {
  return `patch ${m.position}/${m.queueLength}: ${m.file} merged by structure, ${m.entries.length} ${m.entries.length === 1 ? 'entry' : 'entries'}`;
}

/** "; Cargo.lock merged by structure in 2 patch(es)" for a stage summary, or ''. */
export function lockMergesNote(merges: readonly LockMerge[] | undefined): string {
  if (!merges?.length) return '';
  const files = [...new Set(merges.map((m) => m.file))].join(', ');
  const patches = new Set(merges.map((m) => m.patch.sha)).size;
  return `; ${files} merged by structure in ${patches} patch(es)`;
}
