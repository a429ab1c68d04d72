import { readHistory } from '@rebase-daily/report';

const GREEN = new Set(['success', 'no-change', 'resolved']);

export interface StatusHistory {
  path: string;
  days: number;
  runs: number;
  green: number;
  /** Days behind upstream after the newest run (null: unknown). */
  daysBehind: number | null;
  malformed: number;
}

/**
 * The ledger's share of `status`: runs of the last `days` days and how far behind upstream the trunk
 * was after the newest one. Read-only: a missing ledger is null here (`history` rebuilds it).
 */
export function statusHistory(scratchPath: string, now = new Date(), days = 7): StatusHistory | null {
  const h = readHistory(scratchPath);
  if (!h.exists) return null;
  const runs = h.entries.filter((e) => e.kind === 'run' && e.outcome !== 'lock-taken');
  const recent = runs.filter((e) => now.getTime() - new Date(e.startedAt).getTime() <= days * 86_400_000);
  return { path: h.path, days, runs: recent.length, green: recent.filter((e) => GREEN.has(e.outcome)).length, daysBehind: runs.at(-1)?.daysBehind.after ?? null, malformed: h.malformed.length };
}

/** One line for the human status. */
export function statusHistoryLine(s: StatusHistory): string {
  const behind = s.daysBehind === null ? 'days behind upstream unknown' : `${s.daysBehind.toFixed(1)} days behind upstream after the last run`;
  return `history: ${s.runs} run(s) in the last ${s.days} days, ${s.green} green; ${behind}${s.malformed ? ` (${s.malformed} malformed ledger line(s): \`rebase-daily history\`)` : ''}`;
}
