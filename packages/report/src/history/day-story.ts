import { existsSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { localDate } from '@rebase-daily/core';
import { SUMMARY_FILE, writeAtomic } from '../write-report.js';
import type { HistoryEntry } from './history-entry.js';
import { readHistory } from './history-ledger.js';

/** Where the day's section starts in the date folder's summary.md (everything after it is rewritten). */
export const DAY_SECTION = '## Runs of the day';

/** When a line belongs to the day: a run by its start (as its date folder is chosen), a resolve event by when it happened. */
const at = (e: HistoryEntry) => (e.kind === 'run' ? e.startedAt : (e.finishedAt ?? e.startedAt));

/** The ledger lines of one local day, oldest first. */
export function dayEntries(entries: readonly HistoryEntry[], day: string): HistoryEntry[] {
  return entries.filter((e) => localDate(at(e)) === day).sort((a, b) => at(a).localeCompare(at(b)));
}

/** What a ledger line did, in the words of the day's story. */
function what(e: HistoryEntry): string {
  if (e.kind === 'run') return e.command;
  return `resolve ${e.event}`;
}

/**
 * The day's story from the history ledger, the one source `history`, `status` and the dashboard
 * read too: every run of the pipeline and every resolve session event (start, finish, abort) of
 * that day, in the order they happened, each with its outcome and a link to its summary.
 */
export function renderDayStory(entries: readonly HistoryEntry[], dateDir: string, scratchPath: string): string {
  const base = join(scratchPath, 'rebase-daily');
  const lines = [DAY_SECTION, '', '| Time | Run | What | Outcome | Summary |', '| --- | --- | --- | --- | --- |'];
  for (const e of entries) {
    const link = e.summary ? relative(dateDir, join(base, e.summary)) : null;
    const outcome = e.exitCode === null ? e.outcome : `${e.outcome} (exit ${e.exitCode})`;
    lines.push(`| ${at(e)} | \`${e.runId}\` | ${what(e)} | ${outcome} | ${link ? `[${link}](${link})` : '—'} |`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Rewrite the day section of `<dateDir>/summary.md` from the ledger: what the latest run wrote above
 * it stays, the section lists the whole day. Does nothing when the date folder has no summary yet or
 * the ledger has no line for that day (the section the report writer wrote from `runs/` stays).
 * Returns whether it rewrote the file.
 */
export function refreshDayStory(scratchPath: string, dateDir: string): boolean {
  const file = join(dateDir, SUMMARY_FILE);
  if (!existsSync(file)) return false;
  const entries = dayEntries(readHistory(scratchPath).entries, basename(dateDir));
  if (!entries.length) return false;
  const text = readFileSync(file, 'utf8');
  const cut = text.indexOf(`\n${DAY_SECTION}\n`);
  const head = cut >= 0 ? text.slice(0, cut + 1) : `${text.replace(/\n*$/, '\n')}\n`;
  writeAtomic(file, `${head}${renderDayStory(entries, dateDir, scratchPath)}`);
  return true;
}
