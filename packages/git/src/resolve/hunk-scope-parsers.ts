/**
 * Pure helpers of the hunk-scope check (`resolve continue`): where the conflict blocks of a merged
 * file are, which lines a zero-context diff changed, and which of those fall outside every block.
 * Tested with tables of real captured output (hunk-scope-parsers.test.ts).
 */

/** A 1-based, inclusive line range. */
export interface LineRange {
  start: number;
  end: number;
}

/** One hunk of `git diff -U0`: the old side's range (`count` 0: an insertion after line `start`) and its changed lines. */
export interface ZeroContextHunk {
  oldStart: number;
  oldCount: number;
  lines: string[];
}

const OPEN = /^<{7}(?: |$)/;
const CLOSE = /^>{7}(?: |$)/;

/** The conflict blocks of a file `git merge-file` wrote with markers: from the `<<<<<<<` line to the `>>>>>>>` line. */
export function conflictBlocks(text: string): LineRange[] {
  const out: LineRange[] = [];
  let open: number | null = null;
  text.split('\n').forEach((line, i) => {
    if (open === null && OPEN.test(line)) open = i + 1;
    else if (open !== null && CLOSE.test(line)) {
      out.push({ start: open, end: i + 1 });
      open = null;
    }
  });
  return out;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@/;

/** The hunks of `git diff --no-index -U0 <merged> <resolution>`, with their `-`/`+` lines. */
export function parseZeroContextDiff(stdout: string): ZeroContextHunk[] {
  const out: ZeroContextHunk[] = [];
  for (const line of stdout.split('\n')) {
    const m = HUNK.exec(line);
    if (m) out.push({ oldStart: Number(m[1]), oldCount: m[2] === undefined ? 1 : Number(m[2]), lines: [] });
    else if (out.length && /^[-+]/.test(line) && !/^(---|\+\+\+) /.test(line)) out.at(-1)!.lines.push(line);
  }
  return out;
}

/**
 * The hunks that change something outside every conflict block: a hunk whose removed or replaced
 * lines are not all inside blocks (a resolution replaces a block, markers and all), or an insertion
 * that does not land inside or at the edge of a block.
 */
export function hunksOutside(hunks: ZeroContextHunk[], blocks: LineRange[]): ZeroContextHunk[] {
  const inBlock = (line: number) => blocks.some((b) => line >= b.start && line <= b.end);
  return hunks.filter((h) => {
    if (h.oldCount === 0) return !blocks.some((b) => h.oldStart >= b.start - 1 && h.oldStart <= b.end);
    for (let line = h.oldStart; line < h.oldStart + h.oldCount; line++) if (!inBlock(line)) return true;
    return false;
  });
}

/** One line of what a hunk changed, bounded: `line 12: -old | +new`. */
export function describeHunk(h: ZeroContextHunk, maxChars = 120): string {
  const text = h.lines.slice(0, 4).join(' | ');
  return `line ${h.oldStart}: ${text.length > maxChars ? `${text.slice(0, maxChars)}…` : text}`;
}
