import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../process/process.js';
import { commitFiles, git, initRepo, makeTempDir, removeDir } from '../testing/git-fixture.js';
import { removeWorktree } from './worktree-removal.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

/** A repo with one commit, our worktree `ours` and the user's worktree `theirs`. */
function setup() {
  const root = makeTempDir('rebase-daily-wt-');
  dirs.push(root);
  const repo = initRepo(join(root, 'repo'));
  commitFiles(repo, { 'a.txt': 'a\n' }, 'initial');
  const ours = join(root, 'scratch', 'ours');
  const theirs = join(root, 'theirs');
  git(repo, 'worktree', 'add', '-q', '--detach', ours);
  git(repo, 'worktree', 'add', '-q', '--detach', theirs);
  const listed = () => git(repo, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).map((l) => l.slice(9));
  return { root, repo, ours, theirs, listed };
}

describe('removeWorktree', () => {
  it('removes the named worktree, dirty and locked, and nothing else', async () => {
    const s = setup();
    writeFileSync(join(s.ours, 'dirty.txt'), 'x\n');
    git(s.repo, 'worktree', 'lock', s.ours);
    // The user's worktree on a disk that is not mounted today: its directory is gone, git keeps it.
    rmSync(s.theirs, { recursive: true, force: true });
    const r = await removeWorktree(run, s.repo, s.ours, { what: 'temporary worktree' });
    expect(r).toEqual({ action: `removed temporary worktree ${s.ours}`, problem: null });
    expect(existsSync(s.ours)).toBe(false);
    // No global `git worktree prune`: the user's entry survives.
    expect(s.listed()).toEqual([s.repo, s.theirs]);
  });

  it('directory already gone: removes only that worktree\'s admin entry, found by its gitdir file, and says so', async () => {
    const s = setup();
    rmSync(s.ours, { recursive: true, force: true });
    rmSync(s.theirs, { recursive: true, force: true });
    const r = await removeWorktree(run, s.repo, s.ours);
    expect(r.problem).toBeNull();
    expect(r.action).toMatch(new RegExp(`^removed worktree ${s.ours} and its entry .*/\\.git/worktrees/ours \\(its directory was already gone\\)$`));
    expect(s.listed()).toEqual([s.repo, s.theirs]);
  });

  it.each([
    ['never created', false],
    ['a plain directory git does not list', true],
  ])('%s: nothing of git is touched', async (_name, makeDir) => {
    const s = setup();
    const path = join(s.root, 'scratch', 'plain');
    if (makeDir) mkdirSync(path, { recursive: true });
    const r = await removeWorktree(run, s.repo, path);
    expect(r).toEqual(makeDir ? { action: `removed worktree ${path}`, problem: null } : { action: null, problem: null });
    expect(existsSync(path)).toBe(false);
    expect(s.listed()).toEqual([s.repo, s.ours, s.theirs]);
  });
});

describe('removeWorktree never removes what is not a linked worktree (a damaged record naming it)', () => {
  it.each([
    { named: 'the repository itself (its main worktree)', pick: (s: ReturnType<typeof setup>) => s.repo, why: /it is or holds the repository/ },
    { named: 'a folder that holds the repository', pick: (s: ReturnType<typeof setup>) => s.root, why: /it is or holds the repository/ },
    { named: 'a repository of its own', pick: (s: ReturnType<typeof setup>) => initRepo(join(s.root, 'scratch', 'other-repo')), why: /a repository of its own/ },
  ])('$named: refused with the reason, nothing removed', async ({ pick, why }) => {
    const s = setup();
    const path = pick(s);
    const before = s.listed();
    const r = await removeWorktree(run, s.repo, path, { what: 'temporary worktree' });
    expect(r.action).toBeNull();
    expect(r.problem).toMatch(why);
    expect(r.problem).toMatch(/^refused to remove .*nothing was removed$/);
    expect(existsSync(path)).toBe(true);
    expect(existsSync(join(s.repo, 'a.txt'))).toBe(true);
    expect(s.listed()).toEqual(before);
  });

  it('the main worktree, named from a linked worktree\'s checkout: refused', async () => {
    const s = setup();
    const r = await removeWorktree(run, s.theirs, s.repo, { what: 'temporary worktree' });
    expect(r).toEqual({ action: null, problem: expect.stringMatching(/it is the main worktree/) });
    expect(existsSync(join(s.repo, 'a.txt'))).toBe(true);
  });
});
