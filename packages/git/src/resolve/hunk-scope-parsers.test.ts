import { describe, expect, it } from 'vitest';
import { conflictBlocks, describeHunk, hunksOutside, parseZeroContextDiff } from './hunk-scope-parsers.js';

// Captured from git 2.39.5: `git merge-file -p --diff3 -L upstream -L base -L patch ours base theirs`
// and `git diff --no-index -U0 --no-color merged resolution`.
const MERGED = ['a', '<<<<<<< upstream', 'B-up', '||||||| base', 'b', '=======', 'B-fork', '>>>>>>> patch', 'c', ''].join('\n');
const INSIDE = ['diff --git a/merged b/res2', 'index 9f4aa47..a20cdf9 100644', '--- a/merged', '+++ b/res2', '@@ -2,7 +2 @@ a', '-<<<<<<< upstream', '-B-up', '-||||||| base', '-b', '-=======', '-B-fork', '->>>>>>> patch', '+B-up B-fork', ''].join('\n');
const APPENDED = `${INSIDE}@@ -9,0 +4 @@ c\n+extra\n`;
const ADJACENT = ['--- a/merged', '+++ b/res', '@@ -1,8 +1,2 @@', '-a', '-<<<<<<< upstream', '-B-up', '-||||||| base', '-b', '-=======', '-B-fork', '->>>>>>> patch', '+LICENSE-X', '+B-up B-fork', ''].join('\n');

describe('conflictBlocks', () => {
  it.each([
    ['diff3 block', MERGED, [{ start: 2, end: 8 }]],
    ['no markers', 'a\nb\n', []],
    ['two blocks', 'x\n<<<<<<< u\n1\n=======\n2\n>>>>>>> p\ny\n<<<<<<< u\n=======\n3\n>>>>>>> p\n', [{ start: 2, end: 6 }, { start: 8, end: 11 }]],
    ['a heading underline is no marker', 'Title\n=======\n', []],
  ])('%s', (_name, text, expected) => expect(conflictBlocks(text)).toEqual(expected));
});

describe('parseZeroContextDiff', () => {
  it.each([
    ['one hunk', INSIDE, [{ oldStart: 2, oldCount: 7, lines: 7 + 1 }]],
    ['an insertion after line 9', APPENDED, [{ oldStart: 2, oldCount: 7, lines: 8 }, { oldStart: 9, oldCount: 0, lines: 1 }]],
    ['a single-line hunk has no count', '@@ -5 +5 @@\n-old\n+new\n', [{ oldStart: 5, oldCount: 1, lines: 2 }]],
    ['identical files', '', []],
  ])('%s', (_name, diff, expected) => expect(parseZeroContextDiff(diff).map((h) => ({ oldStart: h.oldStart, oldCount: h.oldCount, lines: h.lines.length }))).toEqual(expected));
});

describe('hunksOutside', () => {
  const blocks = conflictBlocks(MERGED);
  it.each([
    ['the block replaced by a combined line: inside', INSIDE, []],
    ['a line appended after the last line: outside', APPENDED, [9]],
    ['a line beside the block changed in the same hunk: outside', ADJACENT, [1]],
    ['an edit far from the block (a licence line): outside', '@@ -40 +40 @@\n-MIT\n+Apache-2.0\n', [40]],
    ['an insertion right after the block: inside', '@@ -8,0 +9 @@\n+more\n', []],
    ['an insertion right before the block: inside', '@@ -1,0 +2 @@\n+more\n', []],
  ])('%s', (_name, diff, starts) => expect(hunksOutside(parseZeroContextDiff(diff), blocks).map((h) => h.oldStart)).toEqual(starts));
  it('without blocks (a file with no conflict) every hunk is outside', () => expect(hunksOutside(parseZeroContextDiff('@@ -3 +3 @@\n-a\n+b\n'), [])).toHaveLength(1));
});

describe('describeHunk', () => {
  it.each([
    [{ oldStart: 40, oldCount: 1, lines: ['-MIT', '+Apache-2.0'] }, 'line 40: -MIT | +Apache-2.0'],
    [{ oldStart: 1, oldCount: 1, lines: ['-' + 'x'.repeat(200)] }, `line 1: -${'x'.repeat(119)}…`],
  ])('%j', (h, expected) => expect(describeHunk(h)).toBe(expected));
});
