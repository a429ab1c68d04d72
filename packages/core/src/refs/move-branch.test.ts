import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { moveBranch, moveFailureText, settleMove, type MoveBranchRequest } from './move-branch.js';
import { boundRunner, CommandLog } from '../process/process.js';
import { commitFiles, configureRepo, git, initRepo, makeTempDir, removeDir } from '../testing/index.js';

// Real repositories in temp dirs: `topic` at A (f.txt "a"), B (f.txt "b") one commit later.
interface Repo {
  root: string;
  repo: string;
  a: string;
  b: string;
  /** The worktree that has `topic` checked out in this case, if any. */
  holder: string | null;
}

type Where = 'main worktree' | 'other worktree' | 'nowhere';

function setup(where: Where): Repo {
  const root = makeTempDir('rebase-daily-move-');
  const repo = join(root, 'repo');
  initRepo(repo, 'main');
  configureRepo(repo);
  const a = commitFiles(repo, { 'f.txt': 'a\n', 'keep.txt': 'keep\n' }, 'A');
  const b = commitFiles(repo, { 'f.txt': 'b\n' }, 'B');
  git(repo, 'branch', 'topic', a);
  let holder: string | null = null;
  if (where === 'main worktree') {
    git(repo, 'checkout', '-q', 'topic');
    holder = repo;
  } else if (where === 'other worktree') {
    holder = join(root, 'other');
    git(repo, 'worktree', 'add', '-q', holder, 'topic');
  }
  return { root, repo, a, b, holder };
}

const topic = (r: Repo) => {
  try {
    return git(r.repo, 'rev-parse', '--verify', '--quiet', 'refs/heads/topic');
  } catch {
    return null;
  }
};

interface Case {
  name: string;
  where: Where;
  /** Done to the repository before the move (a local change, a held lock). */
  before?: (r: Repo) => void;
  request: (r: Repo) => Omit<MoveBranchRequest, 'branch' | 'reason'>;
  result: (r: Repo) => Record<string, unknown>;
  /** Where `topic` is afterwards. */
  after: (r: Repo) => string | null;
  /** f.txt in the holder afterwards (the worktree followed, or not). */
  file?: string;
  /** `git status --porcelain` in the holder afterwards (trimmed). */
  status?: string;
}

const cases: Case[] = [
  { name: 'checked out in the main worktree: moves, the worktree follows', where: 'main worktree', request: (r) => ({ from: r.a, to: r.b }), result: (r) => ({ ok: true, holder: r.repo }), after: (r) => r.b, file: 'b\n', status: '' },
  { name: 'checked out in another worktree: moves, that worktree follows', where: 'other worktree', request: (r) => ({ from: r.a, to: r.b }), result: (r) => ({ ok: true, holder: r.holder }), after: (r) => r.b, file: 'b\n', status: '' },
  { name: 'not checked out: only the ref moves', where: 'nowhere', request: (r) => ({ from: r.a, to: r.b }), result: () => ({ ok: true, holder: null }), after: (r) => r.b },
  {
    name: 'compare-and-swap mismatch: refused, nothing moves',
    where: 'other worktree',
    request: (r) => ({ from: r.b, to: r.a }),
    result: (r) => ({ ok: false, reason: 'ref-moved', ref: 'refs/heads/topic', actual: r.a }),
    after: (r) => r.a,
    file: 'a\n',
    status: '',
  },
  {
    name: 'a local change read-tree would lose: refused, the branch is put back, the change kept',
    where: 'other worktree',
    before: (r) => writeFileSync(join(r.holder!, 'f.txt'), 'mine\n'),
    request: (r) => ({ from: r.a, to: r.b }),
    result: (r) => ({ ok: false, reason: 'worktree-refused', holder: r.holder, restored: true }),
    after: (r) => r.a,
    file: 'mine\n',
    status: 'M f.txt',
  },
  {
    name: 'a local change the move keeps: moves, the change stays (as git checkout)',
    where: 'main worktree',
    before: (r) => writeFileSync(join(r.holder!, 'keep.txt'), 'mine\n'),
    request: (r) => ({ from: r.a, to: r.b }),
    result: (r) => ({ ok: true, holder: r.repo }),
    after: (r) => r.b,
    file: 'b\n',
    status: 'M keep.txt',
  },
  {
    name: 'requireClean and any change, even untracked: refused before anything moves',
    where: 'other worktree',
    before: (r) => writeFileSync(join(r.holder!, 'notes.txt'), 'x\n'),
    request: (r) => ({ from: r.a, to: r.b, requireClean: true }),
    result: (r) => ({ ok: false, reason: 'worktree-dirty', holder: r.holder, files: ['notes.txt'] }),
    after: (r) => r.a,
    file: 'a\n',
    status: '?? notes.txt',
  },
  {
    name: 'a held ref lock: update-ref fails, the branch is where it was',
    where: 'nowhere',
    before: (r) => writeFileSync(join(r.repo, '.git', 'refs', 'heads', 'topic.lock'), ''),
    request: (r) => ({ from: r.a, to: r.b }),
    result: () => ({ ok: false, reason: 'update-ref-failed', exitCode: 128 }),
    after: (r) => r.a,
  },
  { name: 'delete, not checked out: the ref is gone', where: 'nowhere', request: (r) => ({ from: r.a, to: null }), result: () => ({ ok: true, holder: null }), after: () => null },
  {
    name: 'delete a branch a worktree has checked out: refused (it would be left on an unborn branch)',
    where: 'other worktree',
    request: (r) => ({ from: r.a, to: null }),
    result: (r) => ({ ok: false, reason: 'checked-out', holder: r.holder }),
    after: (r) => r.a,
    file: 'a\n',
    status: '',
  },
  {
    name: 'create where it must not exist yet, but it does: refused',
    where: 'nowhere',
    request: (r) => ({ from: null, to: r.b }),
    result: (r) => ({ ok: false, reason: 'ref-moved', actual: r.a }),
    after: (r) => r.a,
  },
];

describe('moveBranch', () => {
  let r: Repo | undefined;
  afterEach(() => r && removeDir(r.root));

  it.each(cases)('$name', async (c) => {
    r = setup(c.where);
    c.before?.(r);
    const log = new CommandLog();
    const result = await moveBranch(boundRunner(log), r.repo, { branch: 'topic', reason: 'test: move topic', ...c.request(r) });
    expect(result).toMatchObject(c.result(r));
    expect(topic(r)).toBe(c.after(r));
    if (c.file !== undefined) expect(readFileSync(join(r.holder!, 'f.txt'), 'utf8')).toBe(c.file);
    if (c.status !== undefined) expect(git(r.holder!, 'status', '--porcelain', '--untracked-files=all')).toBe(c.status);
    if (!result.ok) expect(moveFailureText(result)).toMatch(/^\S.*[^\n]$/);
  });

  it('a branch created where it did not exist: ok, no worktree to follow', async () => {
    r = setup('nowhere');
    const result = await moveBranch(boundRunner(new CommandLog()), r.repo, { branch: 'fresh', from: null, to: r.b, reason: 'test: create' });
    expect(result).toEqual({ ok: true, holder: null });
    expect(git(r.repo, 'rev-parse', 'refs/heads/fresh')).toBe(r.b);
    expect(existsSync(join(r.repo, '.git', 'refs', 'heads', 'topic.lock'))).toBe(false);
  });

  it('finishes its commands even when the run was interrupted before it started', async () => {
    r = setup('other worktree');
    const abort = new AbortController();
    abort.abort('SIGINT');
    const result = await moveBranch(boundRunner(new CommandLog(), abort.signal), r.repo, { branch: 'topic', from: r.a, to: r.b, reason: 'test: interrupted' });
    expect(result).toEqual({ ok: true, holder: r.holder });
    expect(readFileSync(join(r.holder!, 'f.txt'), 'utf8')).toBe('b\n');
  });
});

describe('settleMove: a recorded move brought to one end after a crash', () => {
  let r: Repo | undefined;
  afterEach(() => r && removeDir(r.root));
  const read = (path: string) => readFileSync(path, 'utf8');

  // The half state a kill between moveBranch's `update-ref` and its `read-tree` leaves: the branch at
  // B, the worktree that has it checked out still with A's index and files.
  const halfMoved = (where: Where) => {
    r = setup(where);
    git(r.repo, 'update-ref', 'refs/heads/topic', r.b, r.a);
    return r;
  };

  it.each([
    ['main worktree', 'to', 'b\n'],
    ['main worktree', 'from', 'a\n'],
    ['other worktree', 'to', 'b\n'],
    ['other worktree', 'from', 'a\n'],
  ] as const)('half moved, checked out in the %s, settled toward %s: ref and worktree agree, clean', async (where, toward, file) => {
    const h = halfMoved(where);
    expect(git(h.holder!, 'status', '--porcelain')).not.toBe('');
    const result = await settleMove(boundRunner(new CommandLog()), h.repo, { branch: 'topic', from: h.a, to: h.b, reason: 'test: settle', toward });
    expect(result).toMatchObject({ ok: true, holder: h.holder });
    expect(topic(h)).toBe(toward === 'to' ? h.b : h.a);
    expect(read(join(h.holder!, 'f.txt'))).toBe(file);
    expect(git(h.holder!, 'status', '--porcelain')).toBe('');
  });

  it.each([
    ['not started (ref at from)', 'to'],
    ['done (ref and worktree at to)', 'from'],
  ] as const)('%s, settled toward %s: repeatable, the same result as one clean move', async (label, toward) => {
    r = setup('main worktree');
    const h = r;
    if (label.startsWith('done')) {
      git(h.repo, 'update-ref', 'refs/heads/topic', h.b, h.a);
      git(h.repo, 'read-tree', '-m', '-u', h.a, h.b);
    }
    const run = boundRunner(new CommandLog());
    const m = { branch: 'topic', from: h.a, to: h.b, reason: 'test: settle', toward };
    expect(await settleMove(run, h.repo, m)).toMatchObject({ ok: true });
    expect(await settleMove(run, h.repo, m)).toMatchObject({ ok: true });
    expect(topic(h)).toBe(toward === 'to' ? h.b : h.a);
    expect(git(h.repo, 'status', '--porcelain')).toBe('');
  });

  it('a change of the user in the worktree (neither end): refused, nothing moved', async () => {
    const h = halfMoved('main worktree');
    writeFileSync(join(h.repo, 'keep.txt'), 'mine\n');
    const result = await settleMove(boundRunner(new CommandLog()), h.repo, { branch: 'topic', from: h.a, to: h.b, reason: 'test: settle', toward: 'to' });
    expect(result).toMatchObject({ ok: false, reason: 'worktree-dirty' });
    expect(topic(h)).toBe(h.b);
    expect(read(join(h.repo, 'keep.txt'))).toBe('mine\n');
  });

  it('the ref somewhere else: ref-moved, nothing changed', async () => {
    r = setup('nowhere');
    const h = r;
    const c = commitFiles(h.repo, { 'g.txt': 'c\n' }, 'C');
    const result = await settleMove(boundRunner(new CommandLog()), h.repo, { branch: 'topic', from: h.b, to: c, reason: 'test: settle', toward: 'to' });
    expect(result).toMatchObject({ ok: false, reason: 'ref-moved', actual: h.a });
    expect(topic(h)).toBe(h.a);
    expect(existsSync(join(h.repo, 'g.txt'))).toBe(true);
  });
});
