import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { renderSummary } from './render-summary.js';
import { runPaths } from '@rebase-daily/core';
import { reportLocations } from './report-paths.js';
import { ReportSchema, type Report } from './report-schema.js';

export interface WriteReportOptions {
  /** Absolute scratch dir (`<repo>/.scratch` by default in the config). */
  scratchPath: string;
  /** The run start that picks the date folder (default: `report.startedAt`). */
  startedAt?: string | Date;
}

export interface WrittenReport {
  /** `<scratch>/rebase-daily/<YYYY-MM-DD>/` */
  dateDir: string;
  /** `<scratch>/rebase-daily/runs/<runId>/` */
  runDir: string;
  /** The report this run wrote that readers should use: the date folder's, or the run folder's when the date folder was left alone. */
  reportPath: string;
  summaryPath: string;
  /** Whether the date folder's report.json/summary.md now hold this run (false for lock-taken). */
  replacedLatest: boolean;
}

export const REPORT_FILE = 'report.json';
export const SUMMARY_FILE = 'summary.md';

/**
 * Write `report.json` and `summary.md` atomically into the run's own folder, and into the date
 * folder unless the run was refused by the lock (such a run never replaces the day's report: the
 * holder's run is the one people need to read). Each file is written to a temporary name in the same
 * directory and renamed over the old one, so a reader never sees half a report.
 */
export function writeReport(report: Report, options: WriteReportOptions): WrittenReport {
  const { dateDir, runDir } = reportLocations(options.scratchPath, report.runId, options.startedAt ?? report.startedAt);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const summary = renderSummary(report);
  // Summary first, report.json last: `status` keys off report.json, which then never points at a stale summary.
  writeAtomic(join(runDir, SUMMARY_FILE), summary);
  writeAtomic(join(runDir, REPORT_FILE), json);
  const replacedLatest = report.outcome !== 'lock-taken';
  if (replacedLatest) {
    writeAtomic(join(dateDir, SUMMARY_FILE), summary);
    writeAtomic(join(dateDir, REPORT_FILE), json);
  }
  const dir = replacedLatest ? dateDir : runDir;
  return { dateDir, runDir, reportPath: join(dir, REPORT_FILE), summaryPath: join(dir, SUMMARY_FILE), replacedLatest };
}

/** Write a file via a temporary sibling + rename (atomic on POSIX within one filesystem). */
export function writeAtomic(path: string, content: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Math.random().toString(16).slice(2, 10)}.tmp`);
  try {
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeSync(fd, content);
      // Flush before the rename so a crash cannot leave a renamed-but-empty report.
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export type LatestReport =
  | { ok: true; dateDir: string; reportPath: string; summaryPath: string; report: Report }
  | { ok: false; dateDir: string; reportPath: string; summaryPath: string; problems: string[] };

const DATE_DIR = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The newest date folder's report (for `rebase-daily status`), validated with the schema. null
 * when no run has written a report yet; `{ ok: false, problems }` when the newest one is unreadable
 * or does not match the schema (an older rebase-daily, or a hand edit).
 */
export function readLatestReport(scratchPath: string): LatestReport | null {
  const base = runPaths(scratchPath).base;
  if (!existsSync(base)) return null;
  const days = readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && DATE_DIR.test(d.name))
    .map((d) => d.name)
    .sort()
    .reverse();
  for (const day of days) {
    const dateDir = join(base, day);
    const reportPath = join(dateDir, REPORT_FILE);
    const summaryPath = join(dateDir, SUMMARY_FILE);
    if (!existsSync(reportPath)) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(reportPath, 'utf8'));
    } catch (err) {
      return { ok: false, dateDir, reportPath, summaryPath, problems: [`${reportPath} is not valid JSON: ${(err as Error).message}`] };
    }
    const parsed = ReportSchema.safeParse(raw);
    if (parsed.success) return { ok: true, dateDir, reportPath, summaryPath, report: parsed.data };
    return {
      ok: false,
      dateDir,
      reportPath,
      summaryPath,
      problems: parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`),
    };
  }
  return null;
}
