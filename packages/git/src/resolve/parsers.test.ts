import { describe, expect, it } from 'vitest';
import { conflictKind, hasConflictMarkers, parseConflictHunks, parseRangeDiff, parseRerereReused, parseTouchLog, parseUnmergedStages } from './parsers.js';

// Captured from git 2.39.5 (rebase with merge.conflictStyle=diff3, rerere, range-diff, ls-files -u).
const DIFF3 = ['a', '<<<<<<< HEAD', 'B-up', '||||||| parent of 6610eb1 (fork: change b)', 'b', '=======', 'B-fork', '>>>>>>> 6610eb1 (fork: change b)', 'c', ''].join('\n');
const MERGE_STYLE = ['x', '<<<<<<< HEAD', 'up 1', 'up 2', '=======', 'fork', '>>>>>>> abc (p)', 'y', '<<<<<<< HEAD', '=======', 'only fork', '>>>>>>> abc (p)', ''].join('\n');

describe('hasConflictMarkers', () => {
  it.each([
    [DIFF3, true],
    ['a\n<<<<<<< HEAD\nb\n', true],
    ['a\n>>>>>>> 123 (x)\n', true],
    ['Title\n=======\ntext\n', false],
    ['a <<<<<<< not at line start\n', false],
    ['clean\n', false],
  ])('%j → %s', (text, expected) => expect(hasConflictMarkers(text)).toBe(expected));
});

describe('parseConflictHunks', () => {
  it.each([
    ['diff3', DIFF3, 40, [{ line: 2, upstream: ['B-up'], base: ['b'], patch: ['B-fork'], truncated: 0 }]],
    [
      'merge style, two hunks',
      MERGE_STYLE,
      40,
      [
        { line: 2, upstream: ['up 1', 'up 2'], base: null, patch: ['fork'], truncated: 0 },
        { line: 9, upstream: [], base: null, patch: ['only fork'], truncated: 0 },
      ],
    ],
    ['bounded', MERGE_STYLE, 1, [{ line: 2, upstream: ['up 1'], base: null, patch: ['fork'], truncated: 1 }, { line: 9, upstream: [], base: null, patch: ['only fork'], truncated: 0 }]],
    ['no markers', 'a\nb\n', 40, []],
  ])('%s', (_name, text, max, expected) => expect(parseConflictHunks(text, max)).toEqual(expected));
});

describe('conflictKind', () => {
  it.each([
    [[1, 2, 3], 'both-modified'],
    [[2, 3], 'both-added'],
    [[1, 3], 'deleted-by-upstream'],
    [[1, 2], 'deleted-by-patch'],
    [[1], 'both-deleted'],
  ])('%j → %s', (stages, kind) => expect(conflictKind(stages)).toBe(kind));
});

describe('parseUnmergedStages', () => {
  it('reads ls-files -u -z', () => {
    const out = '100644 de980441c3ab03a8c07dda1ad27b8a11f39deb1e 1\tf\x00100644 1bcc7fa4d40892680c47e524785031c941541797 2\tf\x00100644 0fff761dbad7e4b84b0d9550846709b7cac21afe 3\tf\x00100644 0fff761dbad7e4b84b0d9550846709b7cac21afe 3\tdir/with space\0';
    expect([...parseUnmergedStages(out)]).toEqual([
      ['f', [1, 2, 3]],
      ['dir/with space', [3]],
    ]);
  });
});

describe('parseRerereReused', () => {
  it.each([
    ["Rebasing (1/2)error: could not apply 6610eb1... fork: change b\nStaged 'f' using previous resolution.\nCould not apply 6610eb1... fork: change b\n", ['f']],
    ["Resolved 'src/a b.rs' using previous resolution.\nResolved 'x' using previous resolution.\n", ['src/a b.rs', 'x']],
    ["Recorded preimage for 'f'\nCould not apply 6610eb1... fork: change b\n", []],
  ])('%j', (out, files) => expect(parseRerereReused(out)).toEqual(files));
});

describe('parseRangeDiff', () => {
  const changed = [
    '1:  6610eb1 ! 1:  5bd86c2 fork: change b',
    '    @@ Commit message',
    '      ## f ##',
    '     @@',
    '      a',
    '    --b',
    '    -+B-fork',
    '    +-B-up',
    '    ++B-both',
    '      c',
    '2:  e148b6a = 2:  813b0b1 fork: add g',
    '',
  ].join('\n');
  it.each([
    [
      'changed and same',
      changed,
      [
        { oldPosition: 1, oldSha: '6610eb1', newPosition: 1, newSha: '5bd86c2', status: 'changed', subject: 'fork: change b', diff: '@@ Commit message\n  ## f ##\n @@\n  a\n--b\n-+B-fork\n+-B-up\n++B-both\n  c' },
        { oldPosition: 2, oldSha: 'e148b6a', newPosition: 2, newSha: '813b0b1', status: 'same', subject: 'fork: add g', diff: '' },
      ],
    ],
    [
      'dropped and added',
      '1:  6610eb1 < -:  ------- fork: change b\n-:  ------- > 1:  5bd86c2 fork: change b\n',
      [
        { oldPosition: 1, oldSha: '6610eb1', newPosition: null, newSha: null, status: 'dropped', subject: 'fork: change b', diff: '' },
        { oldPosition: null, oldSha: null, newPosition: 1, newSha: '5bd86c2', status: 'added', subject: 'fork: change b', diff: '' },
      ],
    ],
    ['padded positions', ' 9:  aaaaaaa = 10:  bbbbbbb ten\n', [{ oldPosition: 9, oldSha: 'aaaaaaa', newPosition: 10, newSha: 'bbbbbbb', status: 'same', subject: 'ten', diff: '' }]],
  ])('%s', (_n, out, expected) => expect(parseRangeDiff(out)).toEqual(expected));
});

describe('parseTouchLog', () => {
  it('reads commits with numstat', () => {
    const sha = 'a'.repeat(40);
    const out = `\x1e${sha}\x1fUp Dev <up@x>\x1f2020-01-01T00:00:00+00:00\x1fup: change b\n\n1\t1\tf\n-\t-\tlogo.png\n`;
    expect(parseTouchLog(out)).toEqual([
      {
        sha,
        author: 'Up Dev <up@x>',
        date: '2020-01-01T00:00:00+00:00',
        subject: 'up: change b',
        files: [
          { path: 'f', added: 1, deleted: 1 },
          { path: 'logo.png', added: null, deleted: null },
        ],
      },
    ]);
  });
});
