import { localDate } from '@rebase-daily/core';
import type { HistoryEntry } from '../history/history-entry.js';
import type { PatchRisk } from './risk-forecast.js';

/** One fork on the dashboard: its ledger, its forecast, and where its day summaries are relative to the page. */
export interface ForkDashboardInput {
  name: string;
  entries: HistoryEntry[];
  risk: PatchRisk[];
  /** `<scratch>/rebase-daily/` relative to the HTML file's folder (day summaries are `<base>/<date>/summary.md`). */
  summariesHref: string;
  /** Ledger lines skipped as malformed. */
  malformed: number;
  /** A fork whose data could not be read: shown as a row with this problem. */
  problem?: string | null;
}

export interface DayPoint {
  date: string;
  /** Seconds since the epoch of the local midnight (uPlot's x unit). */
  t: number;
  outcome: string;
  runs: number;
  runId: string;
  behind: number | null;
  queue: number | null;
  dropped: number;
  stages: Record<string, number>;
  href: string;
}

export interface ConflictFile {
  file: string;
  days: number;
  patches: string[];
  last: string;
}

export interface ForkView {
  name: string;
  days: DayPoint[];
  conflicts: ConflictFile[];
  risk: PatchRisk[];
  malformed: number;
  problem: string | null;
  latest: DayPoint | null;
  successRate: number | null;
}

/**
 * Fold a ledger into what the page shows (pure): one point per day that had a run of the pipeline —
 * the day's last finished run decides its outcome, as the day folder's report does (lock-taken runs
 * never replace it) — and the files that conflicted most, with the patches involved.
 */
export function forkView(input: ForkDashboardInput): ForkView {
  const byDay = new Map<string, HistoryEntry[]>();
  for (const e of input.entries) {
    if (e.kind !== 'run' || e.outcome === 'lock-taken') continue;
    const d = localDate(e.startedAt);
    byDay.set(d, [...(byDay.get(d) ?? []), e]);
  }
  const days: DayPoint[] = [...byDay.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([date, runs]) => {
      const last = runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt)).at(-1)!;
      const [y, m, d] = date.split('-').map(Number);
      return {
        date,
        t: Math.floor(new Date(y!, m! - 1, d!).getTime() / 1000),
        outcome: last.outcome,
        runs: runs.length,
        runId: last.runId,
        behind: last.daysBehind.after,
        queue: last.queueSize,
        dropped: last.dropped,
        stages: last.stages,
        href: `${input.summariesHref.replace(/\/$/, '')}/${date}/summary.md`,
      };
    });
  const files = new Map<string, ConflictFile>();
  for (const e of input.entries) {
    if (!e.conflict) continue;
    for (const file of e.conflict.files) {
      const f = files.get(file) ?? { file, days: 0, patches: [], last: '' };
      f.days += 1;
      const patch = e.conflict.patch ? `${e.conflict.patch.sha.slice(0, 10)} ${e.conflict.patch.subject}` : null;
      if (patch && !f.patches.includes(patch)) f.patches.push(patch);
      if (e.startedAt > f.last) f.last = e.startedAt;
      files.set(file, f);
    }
  }
  const conflicts = [...files.values()].sort((a, b) => b.days - a.days || b.last.localeCompare(a.last)).slice(0, 20);
  const ok = days.filter((d) => d.outcome === 'success' || d.outcome === 'no-change').length;
  return { name: input.name, days, conflicts, risk: input.risk, malformed: input.malformed, problem: input.problem ?? null, latest: days.at(-1) ?? null, successRate: days.length ? Math.round((ok / days.length) * 100) : null };
}
