import { makeTempDir, removeDir } from '@rebase-daily/core/testing';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildReport } from './build-report.js';
import { renderSummary } from './render-summary.js';
import { ReportSchema } from './report-schema.js';
import { makeRunState, scenarios } from './testing/run-state-factory.js';
import { readLatestReport, writeAtomic, writeReport } from './write-report.js';

let scratch: string;
beforeEach(() => {
  scratch = makeTempDir('rebase-daily-report-');
});
afterEach(() => removeDir(scratch));

const day = (d: string) => join(scratch, 'rebase-daily', d);
const run = (id: string) => join(scratch, 'rebase-daily', 'runs', id);
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { runId: string; outcome: string };
/** Files left in a folder other than the two reports: temp files of the atomic writes would show here. */
const strays = (dir: string) => readdirSync(dir).filter((f) => f !== 'report.json' && f !== 'summary.md');

describe('writeReport', () => {
  it('writes report.json and summary.md to the date folder and to the run folder', () => {
    const report = buildReport(scenarios.success());
    const written = writeReport(report, { scratchPath: scratch });
    expect(written).toEqual({
      dateDir: day('2026-11-27'),
      runDir: run('20261127T120000Z-4242-ab12'),
      reportPath: join(day('2026-11-27'), 'report.json'),
      summaryPath: join(day('2026-11-27'), 'summary.md'),
      replacedLatest: true,
    });
    for (const dir of [written.dateDir, written.runDir]) {
      expect(ReportSchema.parse(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')))).toEqual(report);
      expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toBe(renderSummary(report));
      expect(strays(dir)).toEqual([]);
    }
  });

  it('a later run of the same day replaces the date folder; each run keeps its own copy', () => {
    writeReport(buildReport(scenarios.success()), { scratchPath: scratch });
    const second = makeRunState({ ...scenarios.noChange(), runId: 'second-run', startedAt: '2026-11-27T18:00:00.000Z', finishedAt: '2026-11-27T18:00:05.000Z' });
    writeReport(buildReport(second), { scratchPath: scratch });
    expect(readJson(join(day('2026-11-27'), 'report.json'))).toMatchObject({ runId: 'second-run', outcome: 'no-change' });
    expect(readFileSync(join(day('2026-11-27'), 'summary.md'), 'utf8')).toMatch(/^# rebase-daily 2026-11-27: ✅ no-change/);
    expect(readJson(join(run('20261127T120000Z-4242-ab12'), 'report.json')).outcome).toBe('success');
    expect(readJson(join(run('second-run'), 'report.json')).outcome).toBe('no-change');
  });

  it('a run refused by the lock never replaces the date folder, but keeps its own copy', () => {
    writeReport(buildReport(scenarios.success()), { scratchPath: scratch });
    const before = readFileSync(join(day('2026-11-27'), 'report.json'), 'utf8');
    const beforeSummary = readFileSync(join(day('2026-11-27'), 'summary.md'), 'utf8');

    const refused = writeReport(buildReport(scenarios.lockTaken()), { scratchPath: scratch });
    expect(refused.replacedLatest).toBe(false);
    expect(refused.reportPath).toBe(join(run('20261127T120500Z-5151-cd34'), 'report.json'));
    expect(readFileSync(join(day('2026-11-27'), 'report.json'), 'utf8')).toBe(before);
    expect(readFileSync(join(day('2026-11-27'), 'summary.md'), 'utf8')).toBe(beforeSummary);
    expect(readJson(refused.reportPath).outcome).toBe('lock-taken');
  });

  it('a lock-taken run on a day with no report yet creates no date folder', () => {
    writeReport(buildReport(scenarios.lockTaken()), { scratchPath: scratch });
    expect(existsSync(day('2026-11-27'))).toBe(false);
    expect(readLatestReport(scratch)).toBeNull();
  });

  it('files the report under the local date of the run start, not of its end', () => {
    const state = makeRunState({ startedAt: new Date(2026, 10, 27, 23, 50).toISOString(), finishedAt: new Date(2026, 10, 28, 0, 20).toISOString() });
    expect(writeReport(buildReport(state), { scratchPath: scratch }).dateDir).toBe(day('2026-11-27'));
    expect(writeReport(buildReport(state), { scratchPath: scratch, startedAt: new Date(2026, 11, 1, 9, 0) }).dateDir).toBe(day('2026-12-01'));
  });
});

describe('writeAtomic', () => {
  it('replaces an existing file whole and leaves no temporary file', () => {
    const path = join(scratch, 'a', 'report.json');
    writeAtomic(path, 'old\n');
    writeAtomic(path, 'new\n');
    expect(readFileSync(path, 'utf8')).toBe('new\n');
    expect(readdirSync(join(scratch, 'a'))).toEqual(['report.json']);
  });

  it('on a failed rename keeps the old target and removes its temporary file', () => {
    const dir = join(scratch, 'b');
    // A non-empty directory where the file should go: rename(2) fails (EISDIR/ENOTEMPTY).
    mkdirSync(join(dir, 'report.json', 'inside'), { recursive: true });
    writeFileSync(join(dir, 'report.json', 'inside', 'keep'), 'x');
    expect(() => writeAtomic(join(dir, 'report.json'), '{}')).toThrow();
    expect(readdirSync(dir)).toEqual(['report.json']);
    expect(readFileSync(join(dir, 'report.json', 'inside', 'keep'), 'utf8')).toBe('x');
  });
});

describe('readLatestReport', () => {
  it('is null when no run has written a report', () => {
    expect(readLatestReport(scratch)).toBeNull();
  });

  it('returns the newest date folder’s report, validated', () => {
    writeReport(buildReport(scenarios.success()), { scratchPath: scratch });
    const later = makeRunState({ ...scenarios.verifyConflict(), runId: 'next-day', startedAt: '2026-11-28T12:00:00.000Z', finishedAt: '2026-11-28T12:01:00.000Z' });
    writeReport(buildReport(later), { scratchPath: scratch });
    // A refused run on a still later day must not hide the last finished run.
    writeReport(buildReport(makeRunState({ ...scenarios.lockTaken(), startedAt: '2026-11-29T12:00:00.000Z', finishedAt: '2026-11-29T12:00:01.000Z' })), { scratchPath: scratch });
    // Other entries under rebase-daily/ (runs/, active-run.json, stray folders) are not date folders.
    mkdirSync(join(scratch, 'rebase-daily', 'notes'), { recursive: true });
    const latest = readLatestReport(scratch);
    expect(latest).toMatchObject({ ok: true, dateDir: day('2026-11-28'), reportPath: join(day('2026-11-28'), 'report.json'), summaryPath: join(day('2026-11-28'), 'summary.md') });
    expect(latest?.ok && latest.report.runId).toBe('next-day');
    expect(latest?.ok && latest.report.outcome).toBe('verify-conflict');
  });

  it('says what is wrong with a newest report that does not match the schema', () => {
    mkdirSync(day('2026-11-30'), { recursive: true });
    writeFileSync(join(day('2026-11-30'), 'report.json'), JSON.stringify({ reportVersion: 1, outcome: 'fine' }));
    const latest = readLatestReport(scratch);
    expect(latest?.ok).toBe(false);
    expect(!latest?.ok && latest?.problems).toEqual(expect.arrayContaining(['outcome: Invalid option: expected one of "success"|"no-change"|"verify-conflict"|"apply-conflict"|"push-blocked"|"graphite-failed"|"validation-failed"|"lock-taken"|"error"|"usage-error"|"resolved"']));
  });

  it('says so when the newest report is not JSON', () => {
    mkdirSync(day('2026-11-30'), { recursive: true });
    writeFileSync(join(day('2026-11-30'), 'report.json'), '{"reportVersion": 1, "runId"');
    const latest = readLatestReport(scratch);
    expect(latest).toMatchObject({ ok: false, problems: [expect.stringMatching(/report\.json is not valid JSON/)] });
  });
});
