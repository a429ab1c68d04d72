import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPaths, type Runner } from '@rebase-daily/core';
import { ReportSchema } from '../report-schema.js';
import { REPORT_FILE, SUMMARY_FILE, writeAtomic } from '../write-report.js';
import { entryFromReport } from './entry-from-report.js';
import { HistoryEntrySchema } from './history-entry.js';
import { historyPath, readHistory, type HistoryRead } from './history-ledger.js';

/**
 * Rebuild the ledger from every `runs/<runId>/report.json` (oldest first), for a scratch dir whose
 * runs predate the ledger. Reports that do not parse against the schema are skipped and counted.
 * Written atomically (temporary file + rename): a run appending meanwhile waits for nothing and
 * loses nothing but its own line, which `rebase-daily history` would show again on the next rebuild.
 */
export async function rebuildHistory(scratchPath: string, run: Runner): Promise<{ path: string; entries: number; skipped: string[] }> {
  const runsDir = runPaths(scratchPath).runsDir;
  const ids = existsSync(runsDir) ? readdirSync(runsDir).sort() : [];
  const lines: string[] = [];
  const skipped: string[] = [];
  for (const id of ids) {
    const file = join(runsDir, id, REPORT_FILE);
    if (!existsSync(file)) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      skipped.push(file);
      continue;
    }
    const parsed = ReportSchema.safeParse(raw);
    if (!parsed.success) {
      skipped.push(file);
      continue;
    }
    const entry = await entryFromReport(parsed.data, run, join(runsDir, id, SUMMARY_FILE));
    lines.push(JSON.stringify(HistoryEntrySchema.parse(entry)));
  }
  const path = historyPath(scratchPath);
  if (lines.length > 0) writeAtomic(path, `${lines.join('\n')}\n`);
  return { path, entries: lines.length, skipped };
}

/** The ledger, rebuilt from the run reports first when it does not exist yet. */
export async function loadHistory(scratchPath: string, run: Runner): Promise<HistoryRead & { rebuilt: boolean }> {
  const first = readHistory(scratchPath);
  if (first.exists) return { ...first, rebuilt: false };
  const r = await rebuildHistory(scratchPath, run);
  return { ...readHistory(scratchPath), rebuilt: r.entries > 0 };
}
