import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boundRunner, CommandLog, run } from '@rebase-daily/core';
import { createForkFixture, git, makeTempDir, removeDir, type ForkFixture, type ForkFixtureOptions } from '@rebase-daily/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { applyStage } from '../stages/apply-stage.js';
import { listQueue, outlineQueue } from './index.js';
import { lib, remoteSha } from '../testing/fork-scenarios.js';
import { makeStageContext } from '../testing/stage-context.js';
import { verifyStage } from '../stages/verify-stage.js';

// A backported patch whose lines upstream changed again: the fork carries "fix line 2", upstream
// took the same fix (same patch id) and then changed that line once more. `git rebase` drops the
// fork's copy as already upstream and replays the rest cleanly; replaying the copy anyway would
// conflict with upstream's later change. Both engines, verify and apply, must agree with git.
const backportDay: ForkFixtureOptions = {
  patches: [
    { files: { 'src/lib.txt': lib('line 2 fixed') }, message: 'fork: fix line 2 (backport)' },
    { files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes' },
  ],
  upstreamCommits: [
    { files: { 'src/lib.txt': lib('line 2 fixed') }, message: 'upstream: fix line 2' },
    { files: { 'src/lib.txt': lib('line 2 fixed, then reworded') }, message: 'upstream: reword line 2' },
  ],
};

const fixtures: ForkFixture[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup();
  for (const d of dirs.splice(0)) removeDir(d);
});
const fixture = () => {
  const f = createForkFixture(backportDay);
  fixtures.push(f);
  return f;
};

/** What plain `git rebase` makes of the day, in a throwaway clone of the fork. */
function gitRebaseReference(f: ForkFixture): { exitCode: number; subjects: string[]; tree: string } {
  const dir = makeTempDir('rebase-daily-reference-');
  dirs.push(dir);
  git(dir, 'clone', '-q', f.clone, 'ref');
  const ref = `${dir}/ref`;
  git(ref, 'config', 'user.name', 'Reference');
  git(ref, 'config', 'user.email', 'reference@example.com');
  git(ref, 'checkout', '-q', '-B', f.trunk, `origin/${f.trunk}`);
  const upstream = git(f.clone, 'rev-parse', `upstream/${f.upstreamBranch}`);
  let exitCode = 0;
  try {
    git(ref, 'rebase', '-q', upstream);
  } catch {
    exitCode = 1;
  }
  return { exitCode, subjects: git(ref, 'log', '--format=%s', `${upstream}..HEAD`).split('\n').filter(Boolean), tree: git(ref, 'rev-parse', 'HEAD^{tree}') };
}

describe('a backported patch whose lines upstream changed again', () => {
  it('git rebase itself is clean: it drops the backport and replays the rest', () => {
    const reference = gitRebaseReference(fixture());
    expect(reference.exitCode).toBe(0);
    expect(reference.subjects).toEqual(['fork: add notes']);
  });

  it('both queue readers mark the backport as already upstream and keep the rest', async () => {
    const f = fixture();
    const upstream = git(f.clone, 'rev-parse', `upstream/${f.upstreamBranch}`);
    const trunk = git(f.clone, 'rev-parse', f.trunk);
    const backport = git(f.clone, 'rev-parse', `${f.trunk}~1`);
    const listed = await listQueue(run, f.clone, upstream, trunk);
    expect(listed.alreadyUpstream).toEqual([backport]);
    expect(listed.commits.map((c) => c.sha)).toEqual([trunk]);
    const outlined = await outlineQueue(run, f.clone, upstream, trunk);
    expect(outlined.alreadyUpstream).toEqual([backport]);
    expect(outlined.commits.map((c) => c.sha)).toEqual([trunk]);
  });

  it.each(['memory', 'worktree'] as const)('verify (%s engine) is clean and names the backport as already upstream', async (engine) => {
    const f = fixture();
    const r = await verifyStage(makeStageContext(f, { engine }));
    expect(r.status, r.summary).toBe('ok');
    expect(r.data?.engine).toMatchObject({ used: engine });
    expect(r.summary).toMatch(/^1 patch\(es\) replay cleanly onto upstream .*1 already upstream/);
    expect((r.data?.dropped as { sha: string }[]).map((p) => p.sha)).toEqual([git(f.clone, 'rev-parse', `${f.trunk}~1`)]);
    expect(r.pin).toMatchObject({ clean: true });
  });

  it.each(['memory', 'worktree'] as const)('apply (%s engine) drops the backport like git rebase: same commits, same tree; pushes nothing (publish does)', async (engine) => {
    const f = fixture();
    const reference = gitRebaseReference(f);
    const ctx = makeStageContext(f, { engine });
    const v = await verifyStage(ctx);
    expect(v.status, v.summary).toBe('ok');
    ctx.setPin(v.pin!);
    const remoteBefore = remoteSha(f, f.trunk);
    const r = await applyStage(ctx);
    expect(r.status, r.summary).toBe('ok');
    expect(r.outcome).toBe('success');
    expect(r.data?.engine).toMatchObject({ used: engine });
    const upstream = v.pin!.upstream;
    expect(git(f.clone, 'log', '--format=%s', `${upstream}..${f.trunk}`).split('\n')).toEqual(reference.subjects);
    expect(git(f.clone, 'rev-parse', `${f.trunk}^{tree}`)).toBe(reference.tree);
    expect(git(f.clone, 'show', `${f.trunk}:src/lib.txt`)).toBe(lib('line 2 fixed, then reworded').trimEnd());
    expect(r.data?.pushes).toEqual([]);
    expect(remoteSha(f, f.trunk)).toBe(remoteBefore);
  });
});

describe('a commit that starts empty is kept even when upstream has an empty commit too', () => {
  // `--cherry-mark` gives every empty patch the same patch id, so the empty fork commit is marked
  // `=`; rebase still keeps a commit that starts empty. The queue applies rebase's rule, not the mark.
  it('listQueue and outlineQueue keep it; apply (both engines) replays it like git rebase', async () => {
    const f = fixture();
    git(f.clone, 'commit', '-q', '--allow-empty', '-m', 'fork: empty marker');
    git(f.clone, 'push', '-q', 'origin', f.trunk);
    git(f.upstreamWork, 'commit', '-q', '--allow-empty', '-m', 'upstream: empty marker');
    git(f.upstreamWork, 'push', '-q', 'origin', f.upstreamBranch);
    git(f.clone, 'fetch', '-q', 'upstream');
    const upstream = git(f.clone, 'rev-parse', `upstream/${f.upstreamBranch}`);
    const trunk = git(f.clone, 'rev-parse', f.trunk);
    const marks = git(f.clone, 'rev-list', '--cherry-mark', '--right-only', '--no-merges', `${upstream}...${trunk}`).split('\n');
    expect(marks).toContain(`=${trunk}`);
    expect((await listQueue(run, f.clone, upstream, trunk)).commits.map((c) => [c.sha, c.emptyFromStart])).toEqual([
      [git(f.clone, 'rev-parse', `${f.trunk}~1`), false],
      [trunk, true],
    ]);
    expect((await outlineQueue(run, f.clone, upstream, trunk)).commits.map((c) => [c.sha, c.emptyFromStart])).toEqual([
      [git(f.clone, 'rev-parse', `${f.trunk}~1`), false],
      [trunk, true],
    ]);
    const reference = gitRebaseReference(f);
    expect(reference.subjects).toEqual(['fork: empty marker', 'fork: add notes']);
    for (const engine of ['memory', 'worktree'] as const) {
      const g = createForkFixture(backportDay);
      fixtures.push(g);
      git(g.clone, 'commit', '-q', '--allow-empty', '-m', 'fork: empty marker');
      git(g.clone, 'push', '-q', 'origin', g.trunk);
      git(g.upstreamWork, 'commit', '-q', '--allow-empty', '-m', 'upstream: empty marker');
      git(g.upstreamWork, 'push', '-q', 'origin', g.upstreamBranch);
      const ctx = makeStageContext(g, { engine });
      const v = await verifyStage(ctx);
      expect(v.status, `${engine}: ${v.summary}`).toBe('ok');
      ctx.setPin(v.pin!);
      const r = await applyStage(ctx);
      expect(r.status, `${engine}: ${r.summary}`).toBe('ok');
      expect(git(g.clone, 'log', '--format=%s', `${v.pin!.upstream}..${g.trunk}`).split('\n'), engine).toEqual(reference.subjects);
    }
  });
});

describe('an empty queue', () => {
  it('listQueue reads no commit objects when nothing is right of upstream (one git log walk, no cat-file)', async () => {
    const f = fixture();
    const upstream = git(f.clone, 'rev-parse', `upstream/${f.upstreamBranch}`);
    const log = new CommandLog();
    expect(await listQueue(boundRunner(log), f.clone, upstream, upstream)).toEqual({ commits: [], alreadyUpstream: [] });
    // The one queue reader: a single `git -c diff.ignoreSubmodules=none log --cherry-mark` walk.
    expect(log.entries).toHaveLength(1);
    expect(log.entries[0].argv).toContain('log');
    expect(log.entries.flatMap((e) => e.argv)).not.toContain('cat-file');
  });
});

describe('an empty root commit in the queue (a merged unrelated history) is empty from the start', () => {
  // Rebase counts a root commit as empty when its tree is the empty tree (is_original_commit_empty
  // compares with the empty tree) and keeps it even when `--cherry-mark` marks it `=` like any empty
  // patch. A fork reaches this by merging an unrelated history that starts with `--allow-empty`.
  function withEmptyRoot(f: ForkFixture): void {
    git(f.clone, 'checkout', '-q', '--orphan', 'side');
    git(f.clone, 'rm', '-rqf', '.');
    git(f.clone, 'commit', '-q', '--allow-empty', '-m', 'side: empty root');
    git(f.clone, 'commit', '-q', '--allow-empty', '-m', 'side: empty child');
    writeFileSync(join(f.clone, 'SIDE.md'), 'side notes\n');
    git(f.clone, 'add', 'SIDE.md');
    git(f.clone, 'commit', '-q', '-m', 'side: add notes');
    git(f.clone, 'checkout', '-q', f.trunk);
    git(f.clone, 'merge', '-q', '--allow-unrelated-histories', '--no-edit', 'side');
    git(f.clone, 'branch', '-q', '-D', 'side');
    git(f.clone, 'push', '-q', 'origin', f.trunk);
    git(f.upstreamWork, 'commit', '-q', '--allow-empty', '-m', 'upstream: empty marker');
    git(f.upstreamWork, 'push', '-q', 'origin', f.upstreamBranch);
  }

  it('listQueue and outlineQueue keep it (and the empty child), as git rebase does; a repo set to log.showRoot=false reads the same', async () => {
    const f = fixture();
    withEmptyRoot(f);
    git(f.clone, 'fetch', '-q', 'upstream');
    const upstream = git(f.clone, 'rev-parse', `upstream/${f.upstreamBranch}`);
    const trunk = git(f.clone, 'rev-parse', f.trunk);
    const [root, child] = [git(f.clone, 'rev-parse', `${trunk}^2~2`), git(f.clone, 'rev-parse', `${trunk}^2~1`)];
    expect(git(f.clone, 'rev-list', '--cherry-mark', '--right-only', '--no-merges', `${upstream}...${trunk}`).split('\n')).toEqual(expect.arrayContaining([`=${root}`, `=${child}`]));
    const reference = gitRebaseReference(f);
    expect(reference.exitCode).toBe(0);
    expect(reference.subjects).toHaveLength(4);
    const empty = new Set(['side: empty root', 'side: empty child']);
    for (const showRoot of ['true', 'false']) {
      git(f.clone, 'config', 'log.showRoot', showRoot);
      const listed = await listQueue(run, f.clone, upstream, trunk);
      const outlined = await outlineQueue(run, f.clone, upstream, trunk);
      for (const q of [listed, outlined]) {
        expect(q.alreadyUpstream, `log.showRoot=${showRoot}`).toEqual([git(f.clone, 'rev-parse', `${trunk}^1~1`)]);
        expect(q.commits.map((c) => [c.message.split('\n')[0], c.emptyFromStart]), `log.showRoot=${showRoot}`).toEqual(
          [...reference.subjects].reverse().map((s) => [s, empty.has(s)]),
        );
      }
      expect(outlined.paths.get(root)).toEqual([]);
      expect(outlined.paths.get(git(f.clone, 'rev-parse', `${trunk}^2`))).toEqual([{ status: 'A', path: 'SIDE.md' }]);
    }
  });

  it.each(['memory', 'worktree'] as const)('apply (%s engine) replays it like git rebase: same commits, same tree', async (engine) => {
    const f = fixture();
    withEmptyRoot(f);
    const reference = gitRebaseReference(f);
    const ctx = makeStageContext(f, { engine });
    const v = await verifyStage(ctx);
    expect(v.status, v.summary).toBe('ok');
    ctx.setPin(v.pin!);
    const r = await applyStage(ctx);
    expect(r.status, r.summary).toBe('ok');
    expect(git(f.clone, 'log', '--format=%s', `${v.pin!.upstream}..${f.trunk}`).split('\n')).toEqual(reference.subjects);
    expect(git(f.clone, 'rev-parse', `${f.trunk}^{tree}`)).toBe(reference.tree);
  });
});

describe('a root commit that is already upstream (a merged unrelated history upstream also took)', () => {
  it('is dropped like git rebase drops it, also in a repo set to log.showRoot=false (the walk reads roots with --root)', async () => {
    const f = fixture();
    git(f.clone, 'checkout', '-q', '--orphan', 'side');
    git(f.clone, 'rm', '-rqf', '.');
    writeFileSync(join(f.clone, 'SIDE.md'), 'side notes\n');
    git(f.clone, 'add', 'SIDE.md');
    git(f.clone, 'commit', '-q', '-m', 'side: add notes (root)');
    git(f.clone, 'checkout', '-q', f.trunk);
    git(f.clone, 'merge', '-q', '--allow-unrelated-histories', '--no-edit', 'side');
    git(f.clone, 'branch', '-q', '-D', 'side');
    git(f.clone, 'push', '-q', 'origin', f.trunk);
    writeFileSync(join(f.upstreamWork, 'SIDE.md'), 'side notes\n');
    git(f.upstreamWork, 'add', 'SIDE.md');
    git(f.upstreamWork, 'commit', '-q', '-m', 'upstream: add the same notes');
    git(f.upstreamWork, 'push', '-q', 'origin', f.upstreamBranch);
    git(f.clone, 'fetch', '-q', 'upstream');
    git(f.clone, 'config', 'log.showRoot', 'false');
    const upstream = git(f.clone, 'rev-parse', `upstream/${f.upstreamBranch}`);
    const trunk = git(f.clone, 'rev-parse', f.trunk);
    const root = git(f.clone, 'rev-parse', `${trunk}^2`);
    const reference = gitRebaseReference(f);
    expect(reference.exitCode).toBe(0);
    expect(reference.subjects).toEqual(['fork: add notes']);
    for (const q of [await listQueue(run, f.clone, upstream, trunk), await outlineQueue(run, f.clone, upstream, trunk)]) {
      expect(q.alreadyUpstream).toEqual([git(f.clone, 'rev-parse', `${trunk}^1~1`), root]);
      expect(q.commits.map((c) => [c.message.split('\n')[0], c.emptyFromStart])).toEqual([['fork: add notes', false]]);
    }
    expect((await outlineQueue(run, f.clone, upstream, trunk)).paths.get(root)).toEqual([{ status: 'A', path: 'SIDE.md' }]);
  });
});
