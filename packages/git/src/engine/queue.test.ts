import { run } from '@rebase-daily/core';
import { commitFiles, initRepo, makeTempDir, removeDir } from '@rebase-daily/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { readCommits } from './queue.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});
function repo(): { dir: string; first: string; second: string } {
  const dir = makeTempDir('rebase-daily-read-commits-');
  dirs.push(dir);
  initRepo(dir);
  const first = commitFiles(dir, { 'a.txt': 'a\n' }, 'first');
  const second = commitFiles(dir, { 'a.txt': 'b\n' }, 'second');
  return { dir, first, second };
}

describe('readCommits (one cat-file --batch)', () => {
  it('answers every full SHA asked for, once, under that SHA', async () => {
    const { dir, first, second } = repo();
    const map = await readCommits(run, dir, [second, first, second]);
    expect([...map.keys()]).toEqual([second, first]);
    expect(map.get(second)).toMatchObject({ sha: second, parents: [first], message: 'second\n' });
  });

  it.each([
    ['an abbreviated SHA', (sha: string) => sha.slice(0, 12)],
    ['a ref', () => 'HEAD'],
  ])('refuses %s, which cat-file answers under the full SHA (a lookup by the name asked would find nothing)', async (_, name) => {
    const { dir, first, second } = repo();
    const asked = name(second);
    await expect(readCommits(run, dir, [first, asked])).rejects.toThrow(`cat-file: no commit under the name ${asked} (pass full SHAs)`);
  });
});
