import { execFile } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '@rebase-daily/core/testing';
import { HISTORY_VERSION, type HistoryEntry } from './history-entry.js';
import { appendHistory, historyPath, parseHistory, readHistory } from './history-ledger.js';

const sha = (c: string) => c.repeat(40);
const sampleEntry = (over: Partial<HistoryEntry> = {}): HistoryEntry => ({
  v: HISTORY_VERSION,
  kind: 'run',
  event: 'finish',
  runId: '20261201T060000Z-1-abcd',
  command: 'daily',
  startedAt: '2026-12-01T06:00:00.000Z',
  finishedAt: '2026-12-01T06:01:30.000Z',
  outcome: 'success',
  exitCode: 0,
  shas: { before: { upstream: sha('a'), trunk: sha('b') }, after: { upstream: sha('c'), trunk: sha('d') } },
  upstreamAbsorbed: 3,
  daysBehind: { before: 2.5, after: 0 },
  queueSize: 4,
  dropped: 1,
  conflict: null,
  stages: { verify: 1200, apply: 800 },
  summary: 'runs/20261201T060000Z-1-abcd/summary.md',
  ...over,
});

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
let dir = '';
afterEach(() => removeDir(dir));

describe('parseHistory', () => {
  const good = JSON.stringify(sampleEntry());
  it.each([
    ['one good line', `${good}\n`, 1, []],
    ['blank lines are no lines', `\n${good}\n\n`, 1, []],
    ['a torn last line', `${good}\n{"v":1,"kind":"ru`, 1, [{ line: 2, reason: 'not JSON (a torn or edited line)' }]],
    ['another ledger version', `${JSON.stringify({ ...sampleEntry(), v: 2 })}\n${good}\n`, 1, [{ line: 1, reason: expect.stringContaining('v: ') }]],
    ['a field off the schema', `${JSON.stringify({ ...sampleEntry(), queueSize: -1 })}\n`, 0, [{ line: 1, reason: expect.stringContaining('queueSize') }]],
    ['an unknown outcome', `${JSON.stringify({ ...sampleEntry(), outcome: 'great' })}\n`, 0, [{ line: 1, reason: expect.stringContaining('outcome') }]],
  ])('%s', (_name, text, entries, malformed) => {
    const r = parseHistory(text);
    expect(r.entries).toHaveLength(entries);
    expect(r.malformed).toEqual(malformed);
  });
});

describe('appendHistory', () => {
  it('appends whole lines and refuses an entry off the schema without writing', () => {
    dir = makeTempDir('rd-history-');
    appendHistory(dir, sampleEntry());
    appendHistory(dir, sampleEntry({ runId: 'second', outcome: 'verify-conflict', exitCode: 10, conflict: { stage: 'verify', files: ['a.rs'], patch: { sha: sha('e'), subject: 'fork: x' } } }));
    expect(() => appendHistory(dir, { ...sampleEntry(), dropped: -3 })).toThrow();
    const text = readFileSync(historyPath(dir), 'utf8');
    expect(text.split('\n')).toHaveLength(3);
    expect(text.endsWith('\n')).toBe(true);
    expect(readHistory(dir).entries.map((e) => e.runId)).toEqual(['20261201T060000Z-1-abcd', 'second']);
  });

  it('puts a newline before its line when the file ends in a torn line, so the new line stays readable', () => {
    dir = makeTempDir('rd-history-');
    appendHistory(dir, sampleEntry());
    appendFileSync(historyPath(dir), '{"v":1,"kin');
    appendHistory(dir, sampleEntry({ runId: 'after-crash' }));
    const r = readHistory(dir);
    expect(r.entries.map((e) => e.runId)).toEqual(['20261201T060000Z-1-abcd', 'after-crash']);
    expect(r.malformed).toEqual([{ line: 2, reason: 'not JSON (a torn or edited line)' }]);
  });

  it('concurrent appenders in separate processes never interleave: 6 × 30 lines of 3 KB, all whole', async () => {
    dir = makeTempDir('rd-history-');
    // The built package (dist), as another run's process would load it.
    const script = `const { appendHistory } = await import('@rebase-daily/report'); const e = JSON.parse(process.argv[1]); for (let i = 0; i < 30; i++) appendHistory(process.argv[2], { ...e, runId: process.argv[3] + '-' + i });`;
    const entry = JSON.stringify(sampleEntry({ command: 'x'.repeat(3000) }));
    await Promise.all(
      Array.from({ length: 6 }, (_, p) => new Promise<void>((res, rej) => execFile(process.execPath, ['--input-type=module', '-e', script, entry, dir, `p${p}`], { cwd: packageRoot }, (err) => (err ? rej(err) : res())))),
    );
    const r = readHistory(dir);
    expect(r.malformed).toEqual([]);
    expect(r.entries).toHaveLength(180);
    expect(new Set(r.entries.map((e) => e.runId)).size).toBe(180);
  });

  it('a missing ledger reads as empty, not as an error', () => {
    dir = makeTempDir('rd-history-');
    expect(readHistory(dir)).toMatchObject({ exists: false, entries: [], malformed: [] });
  });
});
