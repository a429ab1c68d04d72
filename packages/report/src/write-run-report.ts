import type { CommandLogEntry, RunState } from '@rebase-daily/core';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { buildReport, type BuildReportOptions } from './build-report.js';
import type { Report } from './report-schema.js';
import { writeReport, type WrittenReport } from './write-report.js';

export interface WriteRunReportOptions extends Pick<BuildReportOptions, 'now' | 'docs'> {
  /** The command log entries in memory; when absent they are read from `state.commandLog` (JSONL). */
  commands?: readonly CommandLogEntry[];
}

/**
 * Build the report of a finished (or stopped) run and write it: the one call the pipeline makes at
 * the end of every run. Returns where the files went, and the report itself.
 */
export function writeRunReport(state: RunState, options: WriteRunReportOptions = {}): WrittenReport & { dir: string; report: Report } {
  const commands = options.commands ?? (state.commandLog ? readCommandLog(state.commandLog) : []);
  const report = buildReport(state, { commands, now: options.now, docs: options.docs });
  const scratchPath = isAbsolute(state.scratchDir) ? state.scratchDir : resolve(state.repo, state.scratchDir);
  const written = writeReport(report, { scratchPath, startedAt: state.startedAt });
  // `dir` is what core's ReportWriter contract records as state.reportDir.
  return { ...written, dir: dirname(written.reportPath), report };
}

/**
 * Read a JSONL command log. A line that does not parse (a write cut short by a crash) is skipped:
 * a damaged log must not cost the run its report.
 */
export function readCommandLog(path: string): CommandLogEntry[] {
  if (!existsSync(path)) return [];
  const entries: CommandLogEntry[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const e = JSON.parse(line) as CommandLogEntry;
      if (Array.isArray(e.argv) && typeof e.exitCode === 'number') entries.push(e);
    } catch {
      // skip the torn line
    }
  }
  return entries;
}
