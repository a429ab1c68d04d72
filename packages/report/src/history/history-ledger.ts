import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runPaths } from '@rebase-daily/core';
import { HistoryEntrySchema, type HistoryEntry } from './history-entry.js';

export const HISTORY_FILE = 'history.jsonl';

/** `<scratch>/rebase-daily/history.jsonl` */
export function historyPath(scratchPath: string): string {
  return join(runPaths(scratchPath).base, HISTORY_FILE);
}

/**
 * Append one entry as one line, with a single `write` on a descriptor opened with O_APPEND: the
 * kernel places the whole buffer at the end of the file, so concurrent appenders never interleave
 * and a crash leaves the line whole or absent, never half. A file that does not end with a newline
 * (edited by hand, or a disk that filled up) gets one first, so the new line stays parseable.
 */
export function appendHistory(scratchPath: string, entry: HistoryEntry): string {
  const line = `${JSON.stringify(HistoryEntrySchema.parse(entry))}\n`;
  const path = historyPath(scratchPath);
  mkdirSync(dirname(path), { recursive: true });
  // 'a+' = O_APPEND|O_RDWR: every write lands at the end, and the last byte can be read back.
  const fd = openSync(path, 'a+', 0o644);
  try {
    const buf = Buffer.from(endsWithoutNewline(fd) ? `\n${line}` : line);
    const n = writeSync(fd, buf);
    if (n !== buf.length) throw new Error(`short write to ${path}: ${n} of ${buf.length} bytes`);
  } finally {
    closeSync(fd);
  }
  return path;
}

function endsWithoutNewline(fd: number): boolean {
  const size = fstatSync(fd).size;
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  return last[0] !== 0x0a;
}

export interface MalformedLine {
  line: number;
  reason: string;
}

export interface HistoryRead {
  path: string;
  exists: boolean;
  entries: HistoryEntry[];
  /** Lines skipped: not JSON, off the schema, or of another ledger version. */
  malformed: MalformedLine[];
}

/** Read the ledger, oldest line first. A malformed line is skipped and reported, never fatal. */
export function readHistory(scratchPath: string): HistoryRead {
  const path = historyPath(scratchPath);
  if (!existsSync(path)) return { path, exists: false, entries: [], malformed: [] };
  return { path, exists: true, ...parseHistory(readFileSync(path, 'utf8')) };
}

/** Parse ledger text (pure). */
export function parseHistory(text: string): { entries: HistoryEntry[]; malformed: MalformedLine[] } {
  const entries: HistoryEntry[] = [];
  const malformed: MalformedLine[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      malformed.push({ line: i + 1, reason: 'not JSON (a torn or edited line)' });
      return;
    }
    const parsed = HistoryEntrySchema.safeParse(json);
    if (parsed.success) entries.push(parsed.data);
    else malformed.push({ line: i + 1, reason: parsed.error.issues.map((e) => `${e.path.join('.') || '(root)'}: ${e.message}`).join('; ') });
  });
  return { entries, malformed };
}
