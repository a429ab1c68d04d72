import type { HistoryEntry } from './history-entry.js';

const GOOD = new Set(['success', 'no-change', 'resolved']);
const NEUTRAL = new Set(['started', 'aborted', 'lock-taken', 'interrupted', 'partial']);

function hhmm(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const days = (n: number | null) => (n === null ? '?' : n.toFixed(1));

function duration(e: HistoryEntry): string {
  if (!e.finishedAt) return '';
  const s = Math.max(0, Math.round((new Date(e.finishedAt).getTime() - new Date(e.startedAt).getTime()) / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/**
 * The `rebase-daily history` table (pure): aligned columns, one line per ledger entry, oldest first.
 * `color` wraps the outcome in ANSI colour after padding, so colour never shifts a column.
 */
export function renderHistoryTable(entries: readonly HistoryEntry[], options: { color?: boolean } = {}): string {
  const header = ['STARTED', 'RUN', 'COMMAND', 'OUTCOME', 'EXIT', 'BEHIND (d)', 'ABSORBED', 'QUEUE', 'DROPPED', 'CONFLICTS', 'TOOK'];
  const rows = entries.map((e) => [
    hhmm(e.startedAt),
    e.runId,
    e.command,
    e.outcome,
    e.exitCode === null ? '' : String(e.exitCode),
    `${days(e.daysBehind.before)} → ${days(e.daysBehind.after)}`,
    String(e.upstreamAbsorbed),
    e.queueSize === null ? '?' : String(e.queueSize),
    String(e.dropped),
    e.conflict ? `${e.conflict.files.length} file${e.conflict.files.length === 1 ? '' : 's'}` : '',
    duration(e),
  ]);
  const right = new Set([4, 6, 7, 8]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[], colour: (i: number, text: string) => string) =>
    cells
      .map((c, i) => colour(i, right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const paint = (outcome: string) => (GOOD.has(outcome) ? '32' : NEUTRAL.has(outcome) ? '2' : '31');
  const out = [line(header, (_, t) => (options.color ? `\u001b[1m${t}\u001b[0m` : t))];
  rows.forEach((r, n) => out.push(line(r, (i, t) => (options.color && i === 3 ? `\u001b[${paint(entries[n]!.outcome)}m${t}\u001b[0m` : t))));
  return `${out.join('\n')}\n`;
}
