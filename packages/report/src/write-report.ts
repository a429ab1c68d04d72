import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { renderSummary } from './render-summary.js';
import { localDate, runPaths } from '@rebase-daily/core';
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
    writeAtomic(join(dateDir, SUMMARY_FILE), `${summary}\n${renderDayRuns(dayRuns(options.scratchPath, dateDir), dateDir)}`);
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

/**
 * `readable`: the file parsed against the schema. `ok`: the run it records ended with exit 0 — a
 * failed day is never `ok`, however readable its report.
 */
export type LatestReport =
  | { readable: true; ok: boolean; outcome: Report['outcome']; exitCode: number; dateDir: string; reportPath: string; summaryPath: string; report: Report }
  | { readable: false; ok: false; dateDir: string; reportPath: string; summaryPath: string; problems: string[] };

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
      return { readable: false, ok: false, dateDir, reportPath, summaryPath, problems: [`${reportPath} is not valid JSON: ${(err as Error).message}`] };
    }
    const parsed = ReportSchema.safeParse(raw);
    if (parsed.success) {
      const report = parsed.data;
      return { readable: true, ok: report.exitCode === 0, outcome: report.outcome, exitCode: report.exitCode, dateDir, reportPath, summaryPath, report };
    }
    return {
      readable: false,
      ok: false,
      dateDir,
      reportPath,
      summaryPath,
      problems: parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`),
    };
  }
  return null;
}

export interface DayRun {
  runId: string;
  command: string;
  outcome: Report['outcome'];
  exitCode: number;
  startedAt: string;
  summaryPath: string;
}

/** Every run whose report lives in the runs folder and whose local start date is the date folder's (oldest first). */
export function dayRuns(scratchPath: string, dateDir: string): DayRun[] {
  const runsDir = runPaths(scratchPath).runsDir;
  if (!existsSync(runsDir)) return [];
  const day = basename(dateDir);
  const out: DayRun[] = [];
  for (const id of readdirSync(runsDir)) {
    const file = join(runsDir, id, REPORT_FILE);
    if (!existsSync(file)) continue;
    try {
      const r = JSON.parse(readFileSync(file, 'utf8')) as Partial<Report>;
      if (typeof r.startedAt !== 'string' || localDate(r.startedAt) !== day) continue;
      out.push({ runId: String(r.runId ?? id), command: String(r.command ?? '?'), outcome: r.outcome as Report['outcome'], exitCode: Number(r.exitCode), startedAt: r.startedAt, summaryPath: join(runsDir, id, SUMMARY_FILE) });
    } catch {
      // a report being written by another run: it lists itself when it finishes
    }
  }
  return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** The "Runs of the day" section the date folder's summary ends with: each run, its outcome, a link to its own summary. */
export function renderDayRuns(runs: DayRun[], dateDir: string): string {
  const lines = ['## Runs of the day', '', '| Started | Run | Command | Outcome | Summary |', '| --- | --- | --- | --- | --- |'];
  for (const r of runs) {
    const link = relative(dateDir, r.summaryPath);
    lines.push(`| ${r.startedAt} | \`${r.runId}\` | ${r.command} | ${r.outcome} (exit ${r.exitCode}) | [${link}](${link}) |`);
  }
  return `${lines.join('\n')}\n`;
}
