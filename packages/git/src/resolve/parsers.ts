import type { ConflictHunk, UpstreamTouch } from '@rebase-daily/core';

/**
 * Pure parsers of the git output `rebase-daily resolve` reads. Each is tested with a table of real
 * captured output (parsers.test.ts).
 */

const OPEN = /^<{7}(?: |$)/;
const BASE = /^\|{7}(?: |$)/;
const MID = /^={7}$/;
const CLOSE = /^>{7}(?: |$)/;

/**
 * Does `text` still hold conflict markers? Only the opening and closing markers count: a line of
 * seven `=` is also a Markdown heading underline.
 */
export function hasConflictMarkers(text: string): boolean {
  return text.split('\n').some((l) => OPEN.test(l) || CLOSE.test(l));
}

/**
 * The conflict hunks of a file written with `merge.conflictStyle=diff3`: for each, the upstream side
 * (HEAD of the replay), the merge base, and the patch's side. Each excerpt keeps at most
 * `maxLines` lines; `truncated` counts what was left out.
 */
export function parseConflictHunks(text: string, maxLines = 40): ConflictHunk[] {
  const lines = text.split('\n');
  const hunks: ConflictHunk[] = [];
  let i = 0;
  while (i < lines.length) {
    if (!OPEN.test(lines[i])) {
      i++;
      continue;
    }
    const start = i + 1;
    const upstream: string[] = [];
    const patch: string[] = [];
    let base: string[] | null = null;
    let side: 'upstream' | 'base' | 'patch' = 'upstream';
    i++;
    for (; i < lines.length && !CLOSE.test(lines[i]); i++) {
      const l = lines[i];
      if (side === 'upstream' && BASE.test(l)) {
        side = 'base';
        base = [];
      } else if (side !== 'patch' && MID.test(l)) side = 'patch';
      else if (side === 'upstream') upstream.push(l);
      else if (side === 'base') base!.push(l);
      else patch.push(l);
    }
    i++;
    const cut = (xs: string[]) => xs.slice(0, maxLines);
    const truncated = [upstream, base ?? [], patch].reduce((n, xs) => n + Math.max(0, xs.length - maxLines), 0);
    hunks.push({ line: start, upstream: cut(upstream), base: base ? cut(base) : null, patch: cut(patch), truncated });
  }
  return hunks;
}

/** The conflict kind of an unmerged path from the index stages it has (`git ls-files -u`). */
export function conflictKind(stages: number[]): string {
  const has = (n: number) => stages.includes(n);
  if (has(1) && has(2) && has(3)) return 'both-modified';
  if (!has(1) && has(2) && has(3)) return 'both-added';
  if (has(1) && !has(2) && has(3)) return 'deleted-by-upstream';
  if (has(1) && has(2) && !has(3)) return 'deleted-by-patch';
  if (!has(1) && has(2)) return 'added-by-upstream';
  if (!has(1) && has(3)) return 'added-by-patch';
  return 'both-deleted';
}

/** `git ls-files -u -z`: `<mode> <sha> <stage>\t<path>` records → path → stages. */
export function parseUnmergedStages(stdout: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const rec of stdout.split('\0')) {
    const tab = rec.indexOf('\t');
    if (tab < 0) continue;
    const stage = Number.parseInt(rec.slice(0, tab).split(' ')[2] ?? '', 10);
    const path = rec.slice(tab + 1);
    if (!Number.isFinite(stage)) continue;
    out.set(path, [...(out.get(path) ?? []), stage].sort());
  }
  return out;
}

/**
 * Paths git rerere re-applied from a recorded resolution, from a rebase's or cherry-pick's output:
 * `Resolved 'path' using previous resolution.` and, with rerere.autoUpdate, `Staged 'path' using
 * previous resolution.`
 */
export function parseRerereReused(output: string): string[] {
  const found = new Set<string>();
  for (const m of output.matchAll(/^(?:Resolved|Staged) '(.+)' using previous resolution\.$/gm)) found.add(m[1]);
  return [...found];
}

/** Moved to the publish gate (gate/range-diff.ts), which proves every publish with it; kept here for resolve's callers. */
export { parseRangeDiff } from '../gate/range-diff.js';

/** The format `upstreamTouches` asks git log for: one header line per commit, then --numstat lines. */
export const TOUCH_LOG_FORMAT = '%x1e%H%x1f%an <%ae>%x1f%aI%x1f%s';

/** Parse `git log --format=TOUCH_LOG_FORMAT --numstat`: commits with their per-file diffstat. */
export function parseTouchLog(stdout: string): UpstreamTouch[] {
  const out: UpstreamTouch[] = [];
  for (const rec of stdout.split('\x1e')) {
    const [header, ...rest] = rec.split('\n');
    const f = header.split('\x1f');
    if (f.length < 4 || !/^[0-9a-f]{40}/.test(f[0])) continue;
    const files = rest
      .filter((l) => l.includes('\t'))
      .map((l) => {
        const [a, d, ...p] = l.split('\t');
        const n = (s: string) => (/^\d+$/.test(s) ? Number.parseInt(s, 10) : null);
        return { path: p.join('\t'), added: n(a), deleted: n(d) };
      });
    out.push({ sha: f[0], author: f[1], date: f[2], subject: f.slice(3).join('\x1f'), files });
  }
  return out;
}
