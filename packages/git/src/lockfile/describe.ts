import type { LockMerge, PolicyDecision } from '@rebase-daily/core';

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

/** "patch 3/5: docs/guide.md took the fork side (conflicts.policy docs/**), 2 hunk(s)" */
export function describePolicyDecision(d: PolicyDecision): string {
  const what = d.rule === 'removed' ? 'removed again (the fork deleted it for good)' : `took the ${d.rule === 'prefer-fork' ? 'fork' : 'upstream'} side, ${d.hunks.length} hunk(s)`;
  return `patch ${d.position}/${d.queueLength}: ${d.file} ${what} (conflicts.policy ${d.glob})`;
}

/** "; 2 conflicted file(s) decided by conflicts.policy" for a stage summary, or ''. */
export function policyNote(decisions: readonly PolicyDecision[] | undefined): string {
  return decisions?.length ? `; ${decisions.length} conflicted file(s) decided by conflicts.policy` : '';
}
