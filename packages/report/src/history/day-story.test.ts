import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localDate } from '@rebase-daily/core';
import { makeTempDir, removeDir } from '@rebase-daily/core/testing';
import { DAY_SECTION, dayEntries, refreshDayStory, renderDayStory } from './day-story.js';
import { HISTORY_VERSION, type HistoryEntry } from './history-entry.js';
import { appendHistory } from './history-ledger.js';

const sha = (c: string) => c.repeat(40);
const entry = (over: Partial<HistoryEntry>): HistoryEntry => ({
  v: HISTORY_VERSION,
  kind: 'run',
  event: 'finish',
  runId: 'r',
  command: 'daily',
  startedAt: '2026-12-01T05:17:00.000Z',
  finishedAt: '2026-12-01T05:18:00.000Z',
  outcome: 'success',
  exitCode: 0,
  shas: { before: { upstream: sha('a'), trunk: sha('b') }, after: { upstream: sha('c'), trunk: sha('d') } },
  upstreamAbsorbed: 0,
  daysBehind: { before: 0, after: 0 },
  queueSize: 3,
  dropped: 0,
  conflict: null,
  stages: {},
  summary: null,
  ...over,
});

// The day: a conflict at 05:17, a resolve session started at 09:02, a failed finish, a
// finish that published, then the 09:15 daily run that found nothing to do.
const conflictRun = entry({ runId: 'run-0517', startedAt: '2026-12-01T05:17:00.000Z', finishedAt: '2026-12-01T05:18:00.000Z', outcome: 'verify-conflict', exitCode: 10, summary: 'runs/run-0517/summary.md' });
const start = entry({ kind: 'resolve', event: 'start', runId: 'resolve-1', command: 'resolve', startedAt: '2026-12-01T09:02:00.000Z', finishedAt: null, outcome: 'started', exitCode: null });
const failed = entry({ kind: 'resolve', event: 'finish', runId: 'resolve-1', command: 'resolve', startedAt: '2026-12-01T09:02:00.000Z', finishedAt: '2026-12-01T09:10:00.000Z', outcome: 'validation-failed', exitCode: 14 });
const resolved = entry({ kind: 'resolve', event: 'finish', runId: 'resolve-1', command: 'resolve', startedAt: '2026-12-01T09:02:00.000Z', finishedAt: '2026-12-01T09:14:00.000Z', outcome: 'resolved', exitCode: 0 });
const noChange = entry({ runId: 'run-0915', startedAt: '2026-12-01T09:15:00.000Z', finishedAt: '2026-12-01T09:15:30.000Z', outcome: 'no-change', exitCode: 0, summary: 'runs/run-0915/summary.md' });
const otherDay = entry({ runId: 'run-yesterday', startedAt: '2026-11-30T05:17:00.000Z', finishedAt: '2026-11-30T05:18:00.000Z' });

let dir = '';
afterEach(() => removeDir(dir));

describe('the day story from the ledger', () => {
  it('dayEntries: that day only (a run by its start, a resolve event by its time), in the order it happened', () => {
    const day = localDate(conflictRun.finishedAt!);
    const got = dayEntries([noChange, resolved, otherDay, start, conflictRun, failed], day).map((e) => `${e.runId}:${e.event}:${e.outcome}`);
    expect(got).toEqual(['run-0517:finish:verify-conflict', 'resolve-1:start:started', 'resolve-1:finish:validation-failed', 'resolve-1:finish:resolved', 'run-0915:finish:no-change']);
  });

  it('renderDayStory: one row per run and per resolve event, linking summaries relative to the date folder', () => {
    const scratch = '/srv/fork/.scratch';
    const text = renderDayStory([conflictRun, start, resolved, noChange], join(scratch, 'rebase-daily', '2026-12-01'), scratch);
    expect(text.split('\n').slice(4, 8)).toEqual([
      '| 2026-12-01T05:17:00.000Z | `run-0517` | daily | verify-conflict (exit 10) | [../runs/run-0517/summary.md](../runs/run-0517/summary.md) |',
      '| 2026-12-01T09:02:00.000Z | `resolve-1` | resolve start | started | — |',
      '| 2026-12-01T09:14:00.000Z | `resolve-1` | resolve finish | resolved (exit 0) | — |',
      '| 2026-12-01T09:15:00.000Z | `run-0915` | daily | no-change (exit 0) | [../runs/run-0915/summary.md](../runs/run-0915/summary.md) |',
    ]);
  });

  it('refreshDayStory: keeps what the latest run wrote above the section and lists the whole day from history.jsonl', () => {
    dir = makeTempDir('day-story-');
    const day = localDate(conflictRun.finishedAt!);
    const dateDir = join(dir, 'rebase-daily', day);
    mkdirSync(dateDir, { recursive: true });
    // What writeReport leaves: the latest run's summary, then a section listing runs/ only.
    writeFileSync(join(dateDir, 'summary.md'), `# rebase-daily ${day}: ✅ no-change (exit 0)\n\nbody\n\n${DAY_SECTION}\n\n| old | table |\n`);
    for (const e of [conflictRun, start, failed, resolved, noChange, otherDay]) appendHistory(dir, e);
    expect(refreshDayStory(dir, dateDir)).toBe(true);
    const text = readFileSync(join(dateDir, 'summary.md'), 'utf8');
    expect(text.startsWith(`# rebase-daily ${day}: ✅ no-change (exit 0)\n\nbody\n\n${DAY_SECTION}\n`)).toBe(true);
    expect(text).not.toContain('| old | table |');
    expect(text.match(/^\| 2026-/gm)).toHaveLength(5);
    expect(text).toContain('| resolve finish | validation-failed (exit 14) |');
    expect(text).not.toContain('run-yesterday');
    expect(text.split(DAY_SECTION)).toHaveLength(2);
  });

  it('refreshDayStory: no date summary, or no ledger line that day → nothing written', () => {
    dir = makeTempDir('day-story-');
    expect(refreshDayStory(dir, join(dir, 'rebase-daily', '2026-12-01'))).toBe(false);
    const dateDir = join(dir, 'rebase-daily', '2026-12-02');
    mkdirSync(dateDir, { recursive: true });
    writeFileSync(join(dateDir, 'summary.md'), 'kept\n');
    appendHistory(dir, conflictRun);
    expect(refreshDayStory(dir, dateDir)).toBe(false);
    expect(readFileSync(join(dateDir, 'summary.md'), 'utf8')).toBe('kept\n');
  });
});
