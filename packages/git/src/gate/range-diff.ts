import type { RangeDiffEntry } from '@rebase-daily/core';

const RD_LINE = /^\s*(\d+|-+):\s+([0-9a-f]+|-+) ([=!<>]) \s*(\d+|-+):\s+([0-9a-f]+|-+) (.*)$/;

/**
 * `git range-diff --no-color old-range new-range`: one entry per patch, old queue against new.
 * `=` same, `!` changed (with its diff, bounded to `maxDiffLines`), `<` dropped, `>` added.
 */
export function parseRangeDiff(stdout: string, maxDiffLines = 80): RangeDiffEntry[] {
  const out: RangeDiffEntry[] = [];
  let diff: string[] | null = null;
  const flush = () => {
    const last = out[out.length - 1];
    if (last && diff) last.diff = diff.slice(0, maxDiffLines).join('\n') + (diff.length > maxDiffLines ? `\n… ${diff.length - maxDiffLines} more line(s)` : '');
    diff = null;
  };
  for (const line of stdout.split('\n')) {
    const m = RD_LINE.exec(line);
    if (!m) {
      if (diff) diff.push(line.replace(/^ {4}/, ''));
      continue;
    }
    flush();
    const num = (s: string) => (/^\d+$/.test(s) ? Number.parseInt(s, 10) : null);
    const hash = (s: string) => (/^-+$/.test(s) ? null : s);
    const status = ({ '=': 'same', '!': 'changed', '<': 'dropped', '>': 'added' } as const)[m[3] as '=' | '!' | '<' | '>'];
    out.push({ oldPosition: num(m[1]), oldSha: hash(m[2]), newPosition: num(m[4]), newSha: hash(m[5]), status, subject: m[6], diff: '' });
    if (status === 'changed') diff = [];
  }
  flush();
  for (const e of out) if (e.status === 'changed') e.diff = e.diff.replace(/\n+$/, '');
  return out;
}
