import { describe, expect, it } from 'vitest';
import { HISTORY_VERSION, type HistoryEntry } from './history-entry.js';
import { renderHistoryTable } from './render-history-table.js';

const entry = (over: Partial<HistoryEntry>): HistoryEntry => ({
  v: HISTORY_VERSION,
  kind: 'run',
  event: 'finish',
  runId: 'r1',
  command: 'daily',
  startedAt: '2026-12-01T06:00:00.000Z',
  finishedAt: '2026-12-01T06:01:30.000Z',
  outcome: 'success',
  exitCode: 0,
  shas: { before: { upstream: null, trunk: null }, after: { upstream: null, trunk: null } },
  upstreamAbsorbed: 3,
  daysBehind: { before: 2.5, after: 0 },
  queueSize: 4,
  dropped: 1,
  conflict: null,
  stages: {},
  summary: null,
  ...over,
});

const rows = [
  entry({}),
  entry({ runId: 'r2-longer-id', outcome: 'verify-conflict', exitCode: 10, upstreamAbsorbed: 0, daysBehind: { before: 3.25, after: 3.3 }, conflict: { stage: 'verify', files: ['a', 'b'], patch: null }, finishedAt: '2026-12-02T06:10:05.000Z', startedAt: '2026-12-02T06:00:00.000Z' }),
  entry({ runId: 'res-1', kind: 'resolve', event: 'start', command: 'resolve start', outcome: 'started', finishedAt: null, queueSize: null, daysBehind: { before: null, after: null } }),
];

describe('renderHistoryTable', () => {
  it('aligns every column; numbers right-aligned; no colour unless asked', () => {
    const lines = renderHistoryTable(rows).trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    for (const col of ['RUN', 'COMMAND', 'OUTCOME']) {
      const at = lines[0]!.indexOf(col);
      expect(lines.slice(1).map((l) => l[at - 2])).toEqual([' ', ' ', ' ']);
    }
    expect(lines[1]).toContain('2.5 → 0.0');
    expect(lines[2]).toContain('2 files');
    expect(lines[2]).toContain('10m05s');
    expect(lines[3]).toContain('? → ?');
    expect(lines.join('\n')).not.toContain('\u001b');
  });

  it.each([
    ['success', '32'],
    ['verify-conflict', '31'],
    ['started', '2'],
  ])('colour: %s is painted %s, after padding (columns stay aligned)', (outcome, code) => {
    const plain = renderHistoryTable(rows).split('\n');
    const coloured = renderHistoryTable(rows, { color: true }).split('\n');
    const i = rows.findIndex((r) => r.outcome === outcome) + 1;
    expect(coloured[i]).toContain(`\u001b[${code}m${outcome}`);
    // eslint-disable-next-line no-control-regex
    expect(coloured[i]!.replace(/\u001b\[\d+m/g, '')).toBe(plain[i]);
  });
});
