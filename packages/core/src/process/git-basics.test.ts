import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRefLines, parseWorktreeList } from './git-basics.js';

describe('parseWorktreeList', () => {
  it.each([
    [
      'real output: detached main worktree + a linked one on s2',
      readFileSync(join(import.meta.dirname, '__fixtures__', 'worktree-list.txt'), 'utf8'),
      [
        { path: '/tmp/gtz/repo', head: 'f739d94ced5a4b36086eec3b910c1a3deff6e373', branch: null, bare: false },
        { path: '/tmp/gtz/wt', head: 'edb290a31facaf31f3f15535fa682b8f7d88bcf4', branch: 's2', bare: false },
      ],
    ],
    ['bare repo', 'worktree /srv/x.git\nbare\n', [{ path: '/srv/x.git', head: null, branch: null, bare: true }]],
    ['empty', '', []],
  ])('%s', (_name, stdout, expected) => {
    expect(parseWorktreeList(stdout)).toEqual(expected);
  });
});

describe('parseRefLines (readRefs: for-each-ref with peeled fields)', () => {
  const a = 'a'.repeat(40);
  const b = 'b'.repeat(40);
  const c = 'c'.repeat(40);
  it.each([
    ['a branch (no peeled fields: three spaces before the name)', `${a} commit   refs/heads/main\n`, { 'refs/heads/main': a }],
    ['an annotated tag is peeled to its commit', `${a} tag ${b} commit refs/tags/v1\n`, { 'refs/tags/v1': b }],
    ['a ref to a tree is left out (rev-parse ^{commit} fails)', `${a} tree   refs/heads/odd\n`, {}],
    ['a tag of a tree is left out', `${a} tag ${c} tree refs/tags/t\n`, {}],
    ['sha256 names', `${'d'.repeat(64)} commit   refs/remotes/origin/x\n`, { 'refs/remotes/origin/x': 'd'.repeat(64) }],
    ['empty output', '', {}],
  ])('%s', (_name, text, want) => {
    expect(Object.fromEntries(parseRefLines(text))).toEqual(want);
  });
});
