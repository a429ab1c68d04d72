import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWorktreeList } from './git-basics.js';

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
