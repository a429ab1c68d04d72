import { run } from '@rebase-daily/core';
import { createForkFixture, type ForkFixture, git, makeTempDir } from '@rebase-daily/core/testing';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyQueue } from './verify-queue.js';
import { worktreeReplay } from './worktree-replay.js';

/**
 * verifyQueue folds runs of patches into one merge where the outcome per path is provably the same
 * (replay-check.ts). These cases pin the folding rules down on small real repositories; the parity
 * suite checks the same against `git rebase` on generated ones.
 */
const env = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_COMMITTER_NAME: 'Replay Bot', GIT_COMMITTER_EMAIL: 'bot@example.com' };
let fixture: ForkFixture | undefined;
afterEach(() => fixture?.cleanup());

const text = (first: string, last = 'line 8') => `${first}\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\n${last}\n`;
const base = { 'a.txt': text('a 1'), 'b.txt': text('b 1'), 'c.txt': text('c 1'), 'NOTES.md': 'notes\n' };
// Upstream rewrites the first line of a, b and c.
const upstreamCommits = [{ files: { 'a.txt': text('a 1 up'), 'b.txt': text('b 1 up'), 'c.txt': text('c 1 up') }, message: 'upstream: first lines' }];

async function both(patches: { files: Record<string, string | null>; message: string }[]) {
  fixture = createForkFixture({ base, patches, upstreamCommits });
  const repo = fixture.clone;
  const upstream = git(repo, 'rev-parse', 'upstream/main');
  const trunk = git(repo, 'rev-parse', 'HEAD');
  const [verify, reference] = [await verifyQueue(run, repo, { upstream, trunk, env }), await worktreeReplay(run, repo, { onto: upstream, trunk, env })];
  expect(verify.ok).toBe(reference.ok);
  if (!reference.ok) expect({ commit: verify.conflict?.commit, files: verify.conflict?.files }).toEqual({ commit: reference.commit, files: reference.files });
  return { verify, repo };
}

describe('verifyQueue folding', () => {
  it('folds patches that modify different upstream-changed files into one merge', async () => {
    const { verify } = await both([
      { files: { 'a.txt': text('a 1', 'a 8 fork') }, message: 'fork: a' },
      { files: { 'NOTES.md': 'notes, fork\n' }, message: 'fork: notes' },
      { files: { 'b.txt': text('b 1', 'b 8 fork') }, message: 'fork: b' },
      { files: { 'c.txt': text('c 1', 'c 8 fork') }, message: 'fork: c' },
    ]);
    expect(verify).toMatchObject({ ok: true, queueLength: 4, merges: 1 });
  });

  it('names the failing patch and its files when a folded run conflicts', async () => {
    const { verify, repo } = await both([
      { files: { 'a.txt': text('a 1', 'a 8 fork') }, message: 'fork: a' },
      { files: { 'b.txt': text('b 1 fork') }, message: 'fork: b conflicts' },
      { files: { 'c.txt': text('c 1', 'c 8 fork') }, message: 'fork: c' },
    ]);
    expect(verify).toMatchObject({ ok: false, conflict: { index: 1, subject: 'fork: b conflicts', files: ['b.txt'], commit: git(repo, 'rev-parse', 'HEAD~1') } });
    // One folded merge, then the run commit by commit up to the failing patch.
    expect(verify.merges).toBe(3);
  });

  it('ends a run before a patch that touches an upstream-changed file again', async () => {
    const { verify } = await both([
      { files: { 'a.txt': text('a 1', 'a 8 fork') }, message: 'fork: a end' },
      { files: { 'a.txt': text('a 1', 'a 8 fork, again') }, message: 'fork: a end again' },
    ]);
    expect(verify).toMatchObject({ ok: true, merges: 2 });
  });

  it('merges adds and deletes on their own, and still folds around them', async () => {
    const { verify } = await both([
      { files: { 'a.txt': text('a 1', 'a 8 fork') }, message: 'fork: a' },
      { files: { 'new.txt': 'new\n' }, message: 'fork: add a file' },
      { files: { 'b.txt': text('b 1', 'b 8 fork') }, message: 'fork: b' },
      { files: { 'c.txt': text('c 1', 'c 8 fork') }, message: 'fork: c' },
    ]);
    expect(verify).toMatchObject({ ok: true, queueLength: 4, merges: 3 });
  });

  it('resolves names first and gives the same answer as with SHAs', async () => {
    const { verify, repo } = await both([{ files: { 'a.txt': text('a 1', 'a 8 fork') }, message: 'fork: a' }]);
    const named = await verifyQueue(run, repo, { upstream: 'upstream/main', trunk: 'HEAD', env });
    expect(named).toEqual(verify);
  });
});

/** Regressions found in review: each compared with a real `git rebase` of the same repository. */
describe('verifyQueue agrees with git rebase where the tip and the queue part ways', () => {
  async function compare(repo: string, options: { verifyIn?: string; env?: NodeJS.ProcessEnv } = {}) {
    const e = { ...env, ...options.env };
    const upstream = git(repo, 'rev-parse', 'upstream/main');
    const trunk = git(repo, 'rev-parse', 'HEAD');
    const verify = await verifyQueue(run, options.verifyIn ?? repo, { upstream, trunk, env: e });
    const reference = await worktreeReplay(run, repo, { onto: upstream, trunk, env: e });
    expect({ ok: verify.ok, commit: verify.conflict?.commit, files: verify.conflict?.files }).toEqual(
      reference.ok ? { ok: true, commit: undefined, files: undefined } : { ok: false, commit: reference.commit, files: reference.files },
    );
    return verify;
  }
  const upstreamEditsA = [{ files: { 'a.txt': text('a 1 up') }, message: 'upstream: a' }];

  it('a queue rename carries upstream edits to the new path: a later edit there is not certain', async () => {
    fixture = createForkFixture({
      base,
      patches: [
        { files: { 'a.txt': null, 'b2.txt': text('a 1') }, message: 'fork: rename a to b2' },
        { files: { 'b2.txt': text('a 1 fork') }, message: 'fork: edit b2' },
      ],
      upstreamCommits: upstreamEditsA,
    });
    const v = await compare(fixture.clone);
    expect(v).toMatchObject({ ok: false, conflict: { subject: 'fork: edit b2', files: ['b2.txt'] } });
  });

  it('… and the failing commit is still named when a folded run follows', async () => {
    fixture = createForkFixture({
      base,
      patches: [
        { files: { 'a.txt': null, 'b2.txt': text('a 1') }, message: 'fork: rename a to b2' },
        { files: { 'b2.txt': text('a 1 fork') }, message: 'fork: edit b2' },
        { files: { 'c.txt': text('c 1', 'c 8 fork') }, message: 'fork: edit c' },
      ],
      upstreamCommits: [{ files: { 'a.txt': text('a 1 up'), 'c.txt': text('c 1 up') }, message: 'upstream: a and c' }],
    });
    const v = await compare(fixture.clone);
    expect(v).toMatchObject({ ok: false, conflict: { subject: 'fork: edit b2' } });
  });

  it('a directory moved by the queue, then edited where upstream edited the old path', async () => {
    fixture = createForkFixture({
      base: { 'lib/x.txt': text('x 1'), 'lib/y.txt': text('y 1'), 'NOTES.md': 'notes\n' },
      patches: [
        { files: { 'lib/x.txt': null, 'lib/y.txt': null, 'src/x.txt': text('x 1'), 'src/y.txt': text('y 1') }, message: 'fork: move lib to src' },
        { files: { 'src/x.txt': text('x 1 fork') }, message: 'fork: edit src/x' },
      ],
      upstreamCommits: [{ files: { 'lib/x.txt': text('x 1 up') }, message: 'upstream: edit lib/x' }],
    });
    const v = await compare(fixture.clone);
    expect(v.ok).toBe(false);
  });

  it('works from a subdirectory of the repository (paths are top-level)', async () => {
    fixture = createForkFixture({
      base: { 'd/x.txt': text('x 1'), 'd/y.txt': text('y 1') },
      patches: [{ files: { 'd/x.txt': text('x 1 fork') }, message: 'fork: edit d/x' }],
      upstreamCommits: [{ files: { 'd/x.txt': text('x 1 up') }, message: 'upstream: edit d/x' }],
    });
    const v = await compare(fixture.clone, { verifyIn: join(fixture.clone, 'd') });
    expect(v).toMatchObject({ ok: false, conflict: { files: ['d/x.txt'] } });
  });

  it.each([
    ['default config', undefined],
    ['diff.ignoreSubmodules=all in the user config', '[diff]\n\tignoreSubmodules = all\n'],
  ])('a submodule bumped on both sides conflicts, as in rebase (%s)', async (_name, userConfig) => {
    fixture = createForkFixture({ base: { 'NOTES.md': 'notes\n' }, patches: [], upstreamCommits: [] });
    const repo = fixture.clone;
    const gitlink = (sha: string, message: string) => {
      git(repo, 'update-index', '--add', '--cacheinfo', `160000,${sha},sub`);
      git(repo, 'commit', '-q', '-m', message);
    };
    gitlink('1'.repeat(40), 'base: add submodule');
    const baseSha = git(repo, 'rev-parse', 'HEAD');
    gitlink('2'.repeat(40), 'fork: bump sub');
    git(repo, 'branch', '-f', 'up-side', baseSha);
    git(repo, 'checkout', '-q', 'up-side');
    gitlink('3'.repeat(40), 'upstream: bump sub');
    git(repo, 'update-ref', 'refs/remotes/upstream/main', 'HEAD');
    git(repo, 'checkout', '-q', fixture.trunk);
    let globalConfig: string | undefined;
    if (userConfig) {
      globalConfig = join(makeTempDir('rebase-daily-gitconfig-'), 'config');
      writeFileSync(globalConfig, userConfig);
    }
    const v = await compare(repo, { env: globalConfig ? { GIT_CONFIG_GLOBAL: globalConfig } : {} });
    expect(v).toMatchObject({ ok: false, conflict: { subject: 'fork: bump sub', files: ['sub'] } });
  });
});
