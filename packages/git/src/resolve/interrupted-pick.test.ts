import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '@rebase-daily/core';
import { commitFiles, configureRepo, git, initRepo, makeTempDir, removeDir } from '@rebase-daily/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { requeueInterruptedPick } from './interrupted-pick.js';

let root: string | undefined;
afterEach(() => root && removeDir(root));

/**
 * A real rebase -i of three patches onto upstream, brought to the on-disk state a kill leaves when
 * git's sequencer has moved `pick <patch 2>` to `done` but not yet carried it out: it runs
 * `pick 1; break`, then moves the line of patch 2 from the todo to `done` by hand (what git's
 * save_todo does first). No kill timing needed, the files are exactly git's.
 */
function killedAfterMovingToPatch2(): { repo: string; patches: string[]; upstream: string } {
  root = makeTempDir('rebase-daily-requeue-');
  const repo = join(root, 'repo');
  initRepo(repo, 'main');
  configureRepo(repo);
  const base = commitFiles(repo, { 'base.txt': 'base\n' }, 'base');
  const patches = [1, 2, 3].map((n) => commitFiles(repo, { [`p${n}.txt`]: `patch ${n}\n` }, `fork: patch ${n}`));
  git(repo, 'checkout', '-q', '-b', 'upstream', base);
  const upstream = commitFiles(repo, { 'up.txt': 'up\n' }, 'upstream: change');
  git(repo, 'checkout', '-q', 'main');
  const todo = join(root, 'todo');
  writeFileSync(todo, `pick ${patches[0]} fork: patch 1\nbreak\npick ${patches[1]} fork: patch 2\npick ${patches[2]} fork: patch 3\n`);
  git(repo, '-c', `sequence.editor=cp ${todo}`, 'rebase', '-i', '--empty=drop', upstream);
  const merge = join(repo, '.git', 'rebase-merge');
  const todoLines = readFileSync(join(merge, 'git-rebase-todo'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  const done = readFileSync(join(merge, 'done'), 'utf8').split('\n').filter((l) => l && !/^break/.test(l));
  writeFileSync(join(merge, 'done'), [...done, todoLines[0]].map((l) => `${l}\n`).join(''));
  writeFileSync(join(merge, 'git-rebase-todo'), todoLines.slice(1).map((l) => `${l}\n`).join(''));
  return { repo, patches, upstream };
}

const subjects = (repo: string, upstream: string) => git(repo, 'log', '--reverse', '--format=%s', `${upstream}..main`).split('\n');

describe('requeueInterruptedPick', () => {
  it('the git gotcha: after a kill just after the sequencer moved to patch 2, a plain continue loses patch 2', () => {
    const { repo, upstream } = killedAfterMovingToPatch2();
    git(repo, 'rebase', '--continue');
    expect(subjects(repo, upstream)).toEqual(['fork: patch 1', 'fork: patch 3']);
  });

  it('puts patch 2 back at the head of the todo: continue replays all three, in order', async () => {
    const { repo, patches, upstream } = killedAfterMovingToPatch2();
    expect(await requeueInterruptedPick(run, repo)).toBe(patches[1]);
    // Repeating it changes nothing: the pick is no longer the last line of done.
    expect(await requeueInterruptedPick(run, repo)).toBeNull();
    git(repo, 'rebase', '--continue');
    expect(subjects(repo, upstream)).toEqual(['fork: patch 1', 'fork: patch 2', 'fork: patch 3']);
  });

  it('a rebase where the last pick was carried out (HEAD is its replay): nothing to do', async () => {
    const { repo, upstream } = killedAfterMovingToPatch2();
    await requeueInterruptedPick(run, repo);
    // Now `done` ends with pick 1 and HEAD is its replay.
    expect(await requeueInterruptedPick(run, repo)).toBeNull();
    git(repo, 'rebase', '--continue');
    expect(subjects(repo, upstream)).toHaveLength(3);
  });
});
