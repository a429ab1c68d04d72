import { localDate, runPaths } from '@rebase-daily/core';
import { join } from 'node:path';

export interface ReportLocations {
  /** `<scratch>/rebase-daily/<YYYY-MM-DD>/`: the latest finished run of that day. */
  dateDir: string;
  /** `<scratch>/rebase-daily/runs/<runId>/`: this run's own copy, never replaced by another run. */
  runDir: string;
}

/**
 * The report folders of a run started at `startedAt`. The date is the local calendar date of the
 * start (an operator in UTC-8 finds tonight's run under today's date), and the run folder is the
 * one core gives every run (state.json and commands.jsonl live there too).
 */
export function reportLocations(scratchPath: string, runId: string, startedAt: string | Date): ReportLocations {
  const iso = typeof startedAt === 'string' ? startedAt : startedAt.toISOString();
  if (Number.isNaN(Date.parse(iso))) throw new RangeError(`not a timestamp: ${iso}`);
  const paths = runPaths(scratchPath, runId);
  return { dateDir: join(paths.base, localDate(iso)), runDir: paths.runDir };
}
