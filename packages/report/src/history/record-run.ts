import { existsSync } from 'node:fs';
import { boundRunner, CommandLog, loadConfig, type ResolvedConfig, type RunState } from '@rebase-daily/core';
import { refreshDashboard } from '../dashboard/write-dashboard.js';
import { writeRunReport, type WriteRunReportOptions } from '../write-run-report.js';
import { entryFromReport } from './entry-from-report.js';
import { refreshDayStory } from './day-story.js';
import { appendHistory, historyPath as ledgerPath } from './history-ledger.js';
import { rebuildHistory } from './rebuild-history.js';

export interface RecordedRun extends ReturnType<typeof writeRunReport> {
  /** The ledger this run's line went to, or null when it could not be written (see `problems`). */
  historyPath: string | null;
  /** The dashboard refreshed (config `report.dashboard`), or null. */
  dashboardPath: string | null;
  /** What failed after the report was written: never fatal, the report is the record. */
  problems: string[];
}

/**
 * The end of every run: write the report (`writeRunReport`), append the run's line to the history
 * ledger, and refresh the dashboard when the config asks for it (`report.dashboard`, default on).
 * Core's `ReportWriter`: the CLI and every Nx executor pass this to the pipeline.
 */
export async function recordRun(state: RunState, options: WriteRunReportOptions & { config?: ResolvedConfig } = {}): Promise<RecordedRun> {
  const written = writeRunReport(state, options);
  const problems: string[] = [];
  const run = boundRunner(new CommandLog());
  let historyPath: string | null = null;
  const scratch = written.report.paths.scratch;
  try {
    // The first run with a ledger: rebuild it from every run report (this run's included) instead.
    if (existsSync(ledgerPath(scratch))) historyPath = appendHistory(scratch, await entryFromReport(written.report, run, `${written.runDir}/summary.md`));
    else historyPath = (await rebuildHistory(scratch, run)).path;
    // The day's section of the date folder's summary: the whole day from the ledger, resolve sessions included.
    if (historyPath) refreshDayStory(scratch, written.dateDir);
  } catch (err) {
    problems.push(`history: ${(err as Error).message}`);
  }
  let dashboardPath: string | null = null;
  const config = options.config ?? configOf(state);
  if (config && config.report.dashboard !== false) {
    try {
      dashboardPath = await refreshDashboard(config, run);
    } catch (err) {
      problems.push(`dashboard: ${(err as Error).message}`);
    }
  }
  return { ...written, historyPath, dashboardPath, problems };
}

function configOf(state: RunState): ResolvedConfig | null {
  const loaded = loadConfig({ configPath: state.configPath });
  return loaded.ok ? loaded.config : null;
}
