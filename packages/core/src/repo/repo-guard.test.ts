import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig, type ResolvedConfig } from '../config/config.js';
import { RebaseDailyError } from '../errors/errors.js';
import { rebaseIdentity } from '../process/git-basics.js';
import { runPaths } from '../config/paths.js';
import { boundRunner, CommandLog, run } from '../process/process.js';
import { cleanLeftovers, ownsOperation, recordedOperationOwner, refuseForeignOperation, restoreRepo, undoTemporaries, undoTemporary, unfinishedTemporaries } from './repo-guard.js';
import type { RunState, Temporary } from '../contracts/run-state.js';
import { createRunState } from '../run/session.js';
import { loadState, saveState } from '../contracts/state-file.js';
import { commitFiles, createForkFixture, git, gitSucceeds, writeFile, type ForkFixture } from '../testing/index.js';

/**
 * The repo guard's functions one by one, against real repositories: real stopped rebases, merges
 * and `git am`s, real worktrees and branches. The pipeline-level cases are in repo-state.test.ts.
 */
let fixture: ForkFixture | undefined;
afterEach(() => fixture?.cleanup());

function setup(): { f: ForkFixture; config: ResolvedConfig; repo: string; gitDir: string } {
  const f = (fixture = createForkFixture());
  const path = join(f.root, 'rebase-daily.json');
  writeFileSync(path, JSON.stringify({ repo: f.clone, trunk: f.trunk, mirror: f.mirror, upstreamBranch: f.upstreamBranch }));
  const r = parseConfig(JSON.parse(readFileSync(path, 'utf8')), path);
  if (!r.ok) throw new Error(r.errors.join());
  return { f, config: r.config, repo: f.clone, gitDir: join(f.clone, '.git') };
}

const tryGit = gitSucceeds;

/** A real `git rebase other` of the trunk, stopped on a conflict in README.md; returns its identity. */
function stoppedRebase(f: ForkFixture): { origHead: string; onto: string } {
  git(f.clone, 'checkout', '-q', '-b', 'other', f.trunk);
  commitFiles(f.clone, { 'README.md': 'other version\n' }, 'other: readme');
  git(f.clone, 'checkout', '-q', f.trunk);
  const origHead = commitFiles(f.clone, { 'README.md': 'trunk version\n' }, 'trunk: readme');
  const onto = git(f.clone, 'rev-parse', 'other');
  expect(tryGit(f.clone, 'rebase', 'other')).toBe(false);
  expect(existsSync(join(f.clone, '.git', 'rebase-merge'))).toBe(true);
  return { origHead, onto };
}

/** A real `git merge other`, stopped on a conflict. */
function stoppedMerge(f: ForkFixture): void {
  git(f.clone, 'checkout', '-q', '-b', 'other', f.trunk);
  commitFiles(f.clone, { 'README.md': 'other version\n' }, 'other: readme');
  git(f.clone, 'checkout', '-q', f.trunk);
  commitFiles(f.clone, { 'README.md': 'trunk version\n' }, 'trunk: readme');
  expect(tryGit(f.clone, 'merge', 'other')).toBe(false);
  expect(existsSync(join(f.clone, '.git', 'MERGE_HEAD'))).toBe(true);
}

/** A real `git am` stopped on a conflict: git keeps it in `rebase-apply`, like the apply backend of a rebase. */
function stoppedAm(f: ForkFixture): void {
  git(f.clone, 'checkout', '-q', '-b', 'other', f.trunk);
  commitFiles(f.clone, { 'README.md': 'other version\n' }, 'other: readme');
  const patch = git(f.clone, 'format-patch', '-1', '--stdout', 'other');
  git(f.clone, 'checkout', '-q', f.trunk);
  commitFiles(f.clone, { 'README.md': 'trunk version\n' }, 'trunk: readme');
  writeFileSync(join(f.root, 'p.patch'), `${patch}\n`);
  expect(tryGit(f.clone, 'am', join(f.root, 'p.patch'))).toBe(false);
  expect(existsSync(join(f.clone, '.git', 'rebase-apply', 'applying'))).toBe(true);
}

const op = (repo: string, extra: Partial<Temporary> = {}): Temporary => ({ kind: 'operation', path: repo, op: 'rebase', ...extra });

/** Write the state of a run that "crashed" with `temporaries` recorded. */
function recordRun(config: ResolvedConfig, runId: string, temporaries: Temporary[]): RunState {
  const state = { ...createRunState(config, { command: 'daily', stages: ['verify', 'report'] }, runId), temporaries };
  saveState(state);
  return state;
}

describe('ownsOperation: only the rebase the record names', () => {
  it('a stopped rebase matching the record in orig-head, onto and branch is owned; each field that differs disowns it', () => {
    const { f, repo, gitDir } = setup();
    const { origHead, onto } = stoppedRebase(f);
    const other = git(repo, 'rev-parse', f.mirror);
    expect(rebaseIdentity(gitDir)?.headName).toBe(`refs/heads/${f.trunk}`);
    expect(ownsOperation(op(repo, { origHead, onto, heads: [f.trunk] }), gitDir)).toBe(true);
    // Each field is optional; a record naming none of them owns any rebase in that git dir.
    expect(ownsOperation(op(repo), gitDir)).toBe(true);
    expect(ownsOperation(op(repo, { heads: [f.trunk] }), gitDir)).toBe(true);
    expect(ownsOperation(op(repo, { origHead }), gitDir)).toBe(true);
    expect(ownsOperation(op(repo, { onto }), gitDir)).toBe(true);
    expect(ownsOperation(op(repo, { origHead: other, onto, heads: [f.trunk] }), gitDir)).toBe(false);
    expect(ownsOperation(op(repo, { origHead, onto: other, heads: [f.trunk] }), gitDir)).toBe(false);
    expect(ownsOperation(op(repo, { origHead, onto, heads: ['someone-else', `refs/heads/${f.trunk}x`] }), gitDir)).toBe(false);
    expect(ownsOperation(op(repo, { origHead, onto, heads: [] }), gitDir)).toBe(false);
    // Only an operation record owns an operation.
    for (const kind of ['worktree', 'branch', 'dir'] as const) expect(ownsOperation({ kind, path: repo }, gitDir)).toBe(false);
  });

  it('a rebase of a detached HEAD (head-name "detached HEAD") is owned only by a record that names no branch', () => {
    const { f, repo, gitDir } = setup();
    const { origHead, onto } = stoppedRebase(f);
    // Same conflict, from a detached HEAD: git writes "detached HEAD" as the head name.
    git(repo, 'rebase', '--abort');
    git(repo, 'checkout', '-q', '--detach', origHead);
    expect(tryGit(repo, 'rebase', 'other')).toBe(false);
    expect(rebaseIdentity(gitDir)?.headName).toBe('detached HEAD');
    expect(ownsOperation(op(repo, { origHead, onto }), gitDir)).toBe(true);
    expect(ownsOperation(op(repo, { origHead, onto, heads: [f.trunk] }), gitDir)).toBe(false);
    expect(ownsOperation(op(repo, { origHead, onto, heads: [''] }), gitDir)).toBe(false);
  });

  it.each([
    ['a merge', stoppedMerge],
    ['a `git am` (in rebase-apply, like a rebase)', stoppedAm],
    ['nothing', () => {}],
  ])('%s in progress is never owned, even by a record naming nothing', (_what, start) => {
    const { f, repo, gitDir } = setup();
    start(f);
    expect(ownsOperation(op(repo), gitDir)).toBe(false);
  });
});

describe('undoTemporary', () => {
  it('the rebase the record names: aborted (the branch back where it was), and the line says so', async () => {
    const { f, repo } = setup();
    const { origHead, onto } = stoppedRebase(f);
    const log = new CommandLog();
    const r = await undoTemporary(boundRunner(log), repo, op(repo, { origHead, onto, heads: [f.trunk] }));
    expect(r).toEqual({ action: `aborted the rebase this run started in ${repo}` });
    // A clean abort needs no `rebase --quit`: nothing failed in the run's command log.
    expect(log.entries.filter((e) => e.exitCode !== 0)).toEqual([]);
    expect(existsSync(join(repo, '.git', 'rebase-merge'))).toBe(false);
    expect(git(repo, 'symbolic-ref', '--short', 'HEAD')).toBe(f.trunk);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(origHead);
  });

  it('a rebase the record does not name, and a merge: left alone, and the line says so', async () => {
    const { f, repo } = setup();
    const { origHead } = stoppedRebase(f);
    const notOurs = await undoTemporary(run, repo, op(repo, { origHead, onto: origHead }));
    expect(notOurs).toEqual({ action: `left the rebase in progress in ${repo} alone: this run did not start it` });
    expect(existsSync(join(repo, '.git', 'rebase-merge'))).toBe(true);
    git(repo, 'rebase', '--abort');
    git(repo, 'reset', '-q', '--hard', f.trunk);
    expect(tryGit(repo, 'merge', 'other')).toBe(false);
    expect(await undoTemporary(run, repo, op(repo))).toEqual({ action: `left the merge in progress in ${repo} alone: this run did not start it` });
    expect(existsSync(join(repo, '.git', 'MERGE_HEAD'))).toBe(true);
  });

  it('an abort that fails (a stale index.lock) falls back to `rebase --quit`, which forgets the rebase; the line says which', async () => {
    const { f, repo } = setup();
    const { origHead, onto } = stoppedRebase(f);
    writeFileSync(join(repo, '.git', 'index.lock'), '');
    const r = await undoTemporary(run, repo, op(repo, { origHead, onto }));
    expect(r).toEqual({ action: `quit the rebase this run started in ${repo} (\`git rebase --abort\` failed)` });
    expect(existsSync(join(repo, '.git', 'rebase-merge'))).toBe(false);
    // The branch never moved: git updates it only when a rebase completes.
    expect(git(repo, 'rev-parse', `refs/heads/${f.trunk}`)).toBe(origHead);
  });

  it('a rebase state git cannot abort nor quit (rebase-merge is a file): a problem naming the command, never "aborted"', async () => {
    const { repo } = setup();
    writeFileSync(join(repo, '.git', 'rebase-merge'), 'damaged\n');
    const r = await undoTemporary(run, repo, op(repo));
    expect(r).toEqual({ problem: `could not abort the rebase this run started in ${repo}; run \`git -C ${repo} rebase --abort\`` });
    expect(readFileSync(join(repo, '.git', 'rebase-merge'), 'utf8')).toBe('damaged\n');
  });

  it('an operation record with nothing in progress, a path that is gone or not a repository: nothing to undo', async () => {
    const { f, repo } = setup();
    expect(await undoTemporary(run, repo, op(repo))).toEqual({});
    // A path that is gone is not asked about: no failed git call in the run's command log.
    const goneLog = new CommandLog();
    expect(await undoTemporary(boundRunner(goneLog), repo, op(join(f.root, 'gone')))).toEqual({});
    expect(goneLog.entries).toEqual([]);
    mkdirSync(join(f.root, 'plain'));
    expect(await undoTemporary(run, repo, op(join(f.root, 'plain')))).toEqual({});
  });

  it('worktree: removed with the line for the report; one never created is nothing to undo', async () => {
    const { f, repo, config } = setup();
    const wt = join(config.scratchPath, 'worktrees', 'w1');
    git(repo, 'worktree', 'add', '-q', '--detach', wt, f.trunk);
    expect(await undoTemporary(run, repo, { kind: 'worktree', path: wt })).toEqual({ action: `removed temporary worktree ${wt}` });
    expect(existsSync(wt)).toBe(false);
    expect(git(repo, 'worktree', 'list')).not.toContain(wt);
    expect(await undoTemporary(run, repo, { kind: 'worktree', path: wt })).toEqual({});
  });

  it('branch: deleted; never created: nothing; checked out in a worktree: a problem with git\'s first line', async () => {
    const { f, repo } = setup();
    git(repo, 'branch', 'rebase-daily/tmp', f.trunk);
    expect(await undoTemporary(run, repo, { kind: 'branch', path: 'rebase-daily/tmp' })).toEqual({ action: 'deleted temporary branch rebase-daily/tmp' });
    expect(git(repo, 'branch', '--list', 'rebase-daily/tmp')).toBe('');
    expect(await undoTemporary(run, repo, { kind: 'branch', path: 'rebase-daily/tmp' })).toEqual({});
    git(repo, 'worktree', 'add', '-q', '-b', 'rebase-daily/busy', join(f.root, 'elsewhere'), f.trunk);
    const busy = await undoTemporary(run, repo, { kind: 'branch', path: 'rebase-daily/busy' });
    expect(busy).toEqual({ problem: expect.stringMatching(/^could not delete temporary branch rebase-daily\/busy: error: .*rebase-daily\/busy[^\n]*$/) });
    expect(git(repo, 'branch', '--list', 'rebase-daily/busy')).toContain('rebase-daily/busy');
  });

  it('dir: removed with what was in it; one never created is nothing to undo', async () => {
    const { f, repo } = setup();
    const dir = join(f.root, 'tmp-dir');
    writeFile(dir, 'deep/file.txt', 'x');
    expect(await undoTemporary(run, repo, { kind: 'dir', path: dir })).toEqual({ action: `removed temporary directory ${dir}` });
    expect(existsSync(dir)).toBe(false);
    expect(await undoTemporary(run, repo, { kind: 'dir', path: dir })).toEqual({});
  });
});

describe('undoTemporaries', () => {
  it('undoes in dependency order whatever the record order: the rebase, the worktree, then its branch, then dirs', async () => {
    const { f, repo, config } = setup();
    const { origHead, onto } = stoppedRebase(f);
    const wt = join(config.scratchPath, 'worktrees', 'w1');
    const dir = join(f.root, 'tmp-dir');
    mkdirSync(dir);
    // git refuses to delete a branch checked out in a worktree: the worktree has to go first.
    git(repo, 'worktree', 'add', '-q', '-b', 'rebase-daily/w1', wt, f.mirror);
    const recorded: Temporary[] = [
      { kind: 'dir', path: dir },
      { kind: 'branch', path: 'rebase-daily/w1' },
      { kind: 'worktree', path: wt },
      op(repo, { origHead, onto }),
    ];
    const r = await undoTemporaries(run, repo, recorded);
    expect(r).toEqual({
      actions: [`aborted the rebase this run started in ${repo}`, `removed temporary worktree ${wt}`, 'deleted temporary branch rebase-daily/w1', `removed temporary directory ${dir}`],
      problems: [],
      left: [],
    });
    expect(recorded.map((t) => t.kind)).toEqual(['dir', 'branch', 'worktree', 'operation']); // the record itself is not reordered
  });

  it('what could not be undone is a problem and stays in the record; the rest is undone and struck', async () => {
    const { f, repo } = setup();
    git(repo, 'worktree', 'add', '-q', '-b', 'rebase-daily/busy', join(f.root, 'elsewhere'), f.mirror);
    git(repo, 'branch', 'rebase-daily/free', f.mirror);
    writeFileSync(join(repo, '.git', 'rebase-merge'), 'damaged\n');
    const damaged = op(repo);
    const busy: Temporary = { kind: 'branch', path: 'rebase-daily/busy' };
    const r = await undoTemporaries(run, repo, [busy, { kind: 'branch', path: 'rebase-daily/free' }, damaged, { kind: 'branch', path: 'rebase-daily/never' }]);
    expect(r.actions).toEqual(['deleted temporary branch rebase-daily/free']);
    expect(r.problems).toEqual([expect.stringMatching(/^could not abort the rebase this run started/), expect.stringMatching(/^could not delete temporary branch rebase-daily\/busy: /)]);
    expect(r.left).toEqual([damaged, busy]);
  });
});

describe('restoreRepo', () => {
  /** A run state as preflight leaves it: the tree was clean, `startBranch`/`startHead` recorded. */
  function started(config: ResolvedConfig, start: Partial<RunState> = {}): RunState {
    return { ...createRunState(config, { command: 'daily', stages: ['verify', 'report'] }, 'r1'), preflightOk: true, ...start };
  }

  it('discards what the run left in the tree (tracked, untracked, in new folders), lists up to five, and checks out the starting branch', async () => {
    const { f, repo, config } = setup();
    git(repo, 'checkout', '-q', f.mirror);
    writeFileSync(join(repo, 'README.md'), 'changed by the run\n');
    for (const n of [1, 2, 3, 4, 5]) writeFile(repo, `new/dir/f${n}.txt`, 'x');
    const r = await restoreRepo(run, config, started(config, { startBranch: f.trunk }));
    expect(r).toEqual({
      actions: ['discarded 6 change(s) this run left in the tree: README.md, new/dir/f1.txt, new/dir/f2.txt, new/dir/f3.txt, new/dir/f4.txt', `checked out starting branch ${f.trunk}`],
      problems: [],
    });
    expect(git(repo, 'status', '--porcelain', '--untracked-files=all')).toBe('');
    expect(git(repo, 'symbolic-ref', '--short', 'HEAD')).toBe(f.trunk);
  });

  it('a clean tree on the starting branch: nothing to do, nothing said', async () => {
    const { f, repo, config } = setup();
    const before = git(repo, 'rev-parse', 'HEAD');
    expect(await restoreRepo(run, config, started(config, { startBranch: f.trunk }))).toEqual({ actions: [], problems: [] });
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(before);
  });

  it('a run that started on a detached HEAD gets it back when it ends on a branch; one still detached is left where it is', async () => {
    const { f, repo, config } = setup();
    const startHead = git(repo, 'rev-parse', f.mirror);
    git(repo, 'checkout', '-q', f.trunk);
    expect(await restoreRepo(run, config, started(config, { startBranch: null, startHead }))).toEqual({ actions: [`restored detached HEAD at ${startHead.slice(0, 12)}`], problems: [] });
    expect(tryGit(repo, 'symbolic-ref', '-q', 'HEAD')).toBe(false);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(startHead);
    // Still detached (somewhere else): no branch to leave, nothing restored.
    git(repo, 'checkout', '-q', '--detach', f.trunk);
    expect(await restoreRepo(run, config, started(config, { startBranch: null, startHead }))).toEqual({ actions: [], problems: [] });
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(git(repo, 'rev-parse', f.trunk));
    // No start recorded at all: nothing to restore either.
    git(repo, 'checkout', '-q', f.trunk);
    expect(await restoreRepo(run, config, started(config, { startBranch: null, startHead: null }))).toEqual({ actions: [], problems: [] });
    expect(git(repo, 'symbolic-ref', '--short', 'HEAD')).toBe(f.trunk);
  });

  it('a starting branch or detached HEAD that cannot be checked out any more: a problem with git\'s first line', async () => {
    const { f, repo, config } = setup();
    git(repo, 'branch', 'gone', f.trunk);
    git(repo, 'branch', '-D', 'gone');
    const r = await restoreRepo(run, config, started(config, { startBranch: 'gone' }));
    expect(r).toEqual({ actions: [], problems: [expect.stringMatching(/^could not check out starting branch gone: error: pathspec 'gone' did not match[^\n]*$/)] });
    const missing = 'f'.repeat(40);
    const d = await restoreRepo(run, config, started(config, { startBranch: null, startHead: missing }));
    expect(d).toEqual({ actions: [], problems: [`could not restore detached HEAD at ffffffffffff: fatal: reference is not a tree: ${missing}`] });
    expect(git(repo, 'symbolic-ref', '--short', 'HEAD')).toBe(f.trunk);
  });

  it('what reset and clean cannot remove (nested repositories) is reported as still dirty, the first five named', async () => {
    const { f, repo, config } = setup();
    const nested = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'];
    for (const n of nested) git(repo, 'init', '-q', join(repo, n));
    const r = await restoreRepo(run, config, started(config, { startBranch: f.trunk }));
    expect(r).toEqual({
      actions: ['discarded 6 change(s) this run left in the tree: n1/, n2/, n3/, n4/, n5/'],
      problems: ['tree still dirty after cleanup: ?? n1/, ?? n2/, ?? n3/, ?? n4/, ?? n5/'],
    });
    for (const n of nested) expect(existsSync(join(repo, n, '.git'))).toBe(true);
  });

  it('before preflight passed, only recorded temporaries are undone: the tree and branch are the user\'s', async () => {
    const { f, repo, config } = setup();
    git(repo, 'checkout', '-q', f.mirror);
    writeFileSync(join(repo, 'README.md'), 'the user\'s edit\n');
    git(repo, 'branch', 'rebase-daily/tmp', f.trunk);
    const state = started(config, { preflightOk: false, startBranch: f.trunk, temporaries: [{ kind: 'branch', path: 'rebase-daily/tmp' }] });
    expect(await restoreRepo(run, config, state)).toEqual({ actions: ['deleted temporary branch rebase-daily/tmp'], problems: [] });
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toBe('the user\'s edit\n');
    expect(git(repo, 'symbolic-ref', '--short', 'HEAD')).toBe(f.mirror);
  });

  it('an operation the run did not start (begun during the run): left alone with the tree and the branch, and a problem', async () => {
    const { f, repo, config } = setup();
    stoppedMerge(f);
    const conflicted = readFileSync(join(repo, 'README.md'), 'utf8');
    expect(conflicted).toMatch(/^<<<<<<< /m);
    const r = await restoreRepo(run, config, started(config, { startBranch: f.mirror }));
    expect(r).toEqual({ actions: [], problems: [`a merge this run did not start is in progress in ${repo}; left it alone and did not restore the tree or the starting branch`] });
    expect(existsSync(join(repo, '.git', 'MERGE_HEAD'))).toBe(true);
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toBe(conflicted);
    expect(git(repo, 'symbolic-ref', '--short', 'HEAD')).toBe(f.trunk);
  });

  it('a repo path that is no longer a repository: no git dir to read, the starting branch cannot be checked out', async () => {
    const { f, config } = setup();
    const plain = join(f.root, 'plain');
    mkdirSync(plain);
    const r = await restoreRepo(run, { ...config, repoPath: plain }, started(config, { startBranch: f.trunk }));
    expect(r).toEqual({ actions: [], problems: [expect.stringMatching(/^could not check out starting branch fork\/trunk: fatal: not a git repository/)] });
  });
});

describe('what other runs recorded', () => {
  it('unfinishedTemporaries: runs with something recorded, except the one named', () => {
    const { config, repo } = setup();
    recordRun(config, '20200101T000000Z-1-a', [{ kind: 'branch', path: 'rebase-daily/a' }]);
    recordRun(config, '20200101T000000Z-2-b', []);
    recordRun(config, '20200101T000000Z-3-c', [op(repo), { kind: 'dir', path: join(config.scratchPath, 'x') }]);
    expect(unfinishedTemporaries(config.scratchPath)).toEqual([
      { runId: '20200101T000000Z-1-a', temporaries: [{ kind: 'branch', path: 'rebase-daily/a' }] },
      { runId: '20200101T000000Z-3-c', temporaries: [op(repo), { kind: 'dir', path: join(config.scratchPath, 'x') }] },
    ]);
    expect(unfinishedTemporaries(config.scratchPath, '20200101T000000Z-1-a').map((r) => r.runId)).toEqual(['20200101T000000Z-3-c']);
  });

  it('recordedOperationOwner: the run whose operation record names this repo and matches the rebase in progress', () => {
    const { f, config, repo, gitDir } = setup();
    const { origHead, onto } = stoppedRebase(f);
    expect(recordedOperationOwner(config, gitDir)).toBeNull();
    // A record for another path (a worktree), or not an operation, with the same identity: not this one.
    recordRun(config, '20200101T000000Z-1-a', [op(join(f.root, 'wt'), { origHead, onto }), { kind: 'worktree', path: repo }]);
    expect(recordedOperationOwner(config, gitDir)).toBeNull();
    recordRun(config, '20200101T000000Z-2-b', [op(repo, { origHead: onto, onto })]);
    expect(recordedOperationOwner(config, gitDir)).toBeNull();
    // The path as recorded need not be spelled the same way.
    recordRun(config, '20200101T000000Z-3-c', [{ kind: 'dir', path: join(config.scratchPath, 'x') }, op(`${repo}/.`, { origHead, onto })]);
    expect(recordedOperationOwner(config, gitDir)).toBe('20200101T000000Z-3-c');
  });

  it('refuseForeignOperation: nothing in progress (or no repository) is null; a crashed run\'s rebase is returned; any other refused', async () => {
    const { f, config, repo } = setup();
    expect(await refuseForeignOperation(run, config)).toBeNull();
    const plain = join(f.root, 'plain');
    mkdirSync(plain);
    expect(await refuseForeignOperation(run, { ...config, repoPath: plain })).toBeNull();
    const { origHead, onto } = stoppedRebase(f);
    const err = await refuseForeignOperation(run, config).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RebaseDailyError);
    expect(err).toMatchObject({ code: 'E_OPERATION_IN_PROGRESS', details: { operation: 'rebase', path: repo, finish: `git -C ${repo} rebase --continue`, abort: `git -C ${repo} rebase --abort` } });
    recordRun(config, '20200101T000000Z-1-dead', [op(repo, { origHead, onto })]);
    expect(await refuseForeignOperation(run, config)).toEqual({ op: 'rebase', recordedBy: '20200101T000000Z-1-dead' });
    expect(existsSync(join(repo, '.git', 'rebase-merge'))).toBe(true); // it only reads
  });

  it('cleanLeftovers: undoes other runs\' records (each line names the run) and strikes what was undone; its own run and empty records untouched', async () => {
    const { f, config, repo } = setup();
    for (const b of ['rebase-daily/a', 'rebase-daily/own', 'rebase-daily/busy']) git(repo, 'branch', b, f.mirror);
    git(repo, 'worktree', 'add', '-q', join(f.root, 'elsewhere'), 'rebase-daily/busy');
    recordRun(config, '20200101T000000Z-1-a', [{ kind: 'branch', path: 'rebase-daily/a' }, { kind: 'branch', path: 'rebase-daily/busy' }]);
    recordRun(config, '20200101T000000Z-2-own', [{ kind: 'branch', path: 'rebase-daily/own' }]);
    // A finished run's record, as an older version wrote it (no defaulted fields): never rewritten.
    const finished = recordRun(config, '20200101T000000Z-3-done', []);
    const finishedFile = runPaths(config.scratchPath, finished.runId).state;
    const { sideEffects: _s, candidates: _c, undoFiles: _u, ...older } = JSON.parse(readFileSync(finishedFile, 'utf8'));
    writeFileSync(finishedFile, JSON.stringify(older));
    const found = await cleanLeftovers(run, config, '20200101T000000Z-2-own');
    expect(found).toEqual([
      'deleted temporary branch rebase-daily/a (left by run 20200101T000000Z-1-a)',
      expect.stringMatching(/^could not delete temporary branch rebase-daily\/busy: .* \(left by run 20200101T000000Z-1-a\)$/),
    ]);
    expect(loadState(config.scratchPath, '20200101T000000Z-1-a')?.temporaries).toEqual([{ kind: 'branch', path: 'rebase-daily/busy' }]);
    expect(loadState(config.scratchPath, '20200101T000000Z-2-own')?.temporaries).toEqual([{ kind: 'branch', path: 'rebase-daily/own' }]);
    expect(git(repo, 'branch', '--list', 'rebase-daily/own')).toContain('rebase-daily/own');
    expect(readFileSync(finishedFile, 'utf8')).toBe(JSON.stringify(older));
  });

  it('cleanLeftovers: a record it cannot rewrite stays as it was, and the run goes on', async () => {
    const { f, config, repo } = setup();
    git(repo, 'branch', 'rebase-daily/a', f.mirror);
    const state = recordRun(config, '20200101T000000Z-1-a', [{ kind: 'branch', path: 'rebase-daily/a' }]);
    // The atomic writer's temp file name is taken by a directory: the write fails.
    mkdirSync(`${runPaths(config.scratchPath, state.runId).state}.${process.pid}.tmp`);
    expect(await cleanLeftovers(run, config, 'me')).toEqual(['deleted temporary branch rebase-daily/a (left by run 20200101T000000Z-1-a)']);
    expect(loadState(config.scratchPath, state.runId)?.temporaries).toEqual([{ kind: 'branch', path: 'rebase-daily/a' }]);
  });
});
