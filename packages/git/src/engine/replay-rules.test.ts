import { run } from '@rebase-daily/core';
import { createForkFixture, type ForkFixture, git } from '@rebase-daily/core/testing';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findStdbuf } from './merge-session.js';
import { objectDirEnv } from './object-dir.js';
import { listQueue } from './queue.js';
import { replayQueue } from './replay.js';

/**
 * replayQueue's own rules, read back from the commits it writes (not from its bookkeeping): the
 * parity suite compares trees, authors and messages with `git rebase`; these pin the rest — parent
 * links, committer, reused SHAs, the conflict record, where objects go, and the failures.
 */
const env = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_COMMITTER_NAME: 'Replay Bot', GIT_COMMITTER_EMAIL: 'bot@example.com' };
const committer = 'Pinned Committer <pinned@example.com> 1700000000 +0100';
let fixture: ForkFixture | undefined;
const scratch: string[] = [];
afterEach(() => {
  fixture?.cleanup();
  fixture = undefined;
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function loose(objectDir: string): number {
  return readdirSync(objectDir)
    .filter((d) => /^[0-9a-f]{2}$/.test(d))
    .reduce((n, d) => n + readdirSync(join(objectDir, d)).length, 0);
}

/** `git merge-tree` processes still running in `repo` (Linux /proc: pid, cwd, command line). */
function mergeTreesIn(repo: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readlinkSync(`/proc/${pid}/cwd`) !== repo) continue;
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (argv.includes('merge-tree')) found.push(`${pid}: ${argv}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

const lib = (line2: string) => `line 1\n${line2}\nline 3\n`;

describe('replayQueue: what it writes', () => {
  it('keeps a commit empty from the start, drops one that becomes empty, links parents, stamps the given committer', async () => {
    fixture = createForkFixture({
      patches: [
        { files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes\n\nwhy we keep notes\n' },
        { files: {}, message: 'fork: empty marker' },
        // Upstream later makes the same edit in a bigger commit: not the same patch, but empty on the new base.
        { files: { 'src/lib.txt': lib('line 2 up') }, message: 'fork: line 2 as upstream has it' },
        { files: { 'FORK.md': 'fork notes 2\n' }, message: 'fork: more notes' },
      ],
      upstreamCommits: [{ files: { 'src/lib.txt': lib('line 2 up'), 'UP.md': 'up\n' }, message: 'upstream: line 2 and notes' }],
    });
    const repo = fixture.clone;
    const upstream = git(repo, 'rev-parse', 'upstream/main');
    const trunk = git(repo, 'rev-parse', 'HEAD');
    const queue = await listQueue(run, repo, upstream, trunk, { env });
    expect(queue.commits).toHaveLength(4);
    expect(queue.commits.map((c) => c.emptyFromStart)).toEqual([false, true, false, false]);
    const [notes, marker, line2, more] = queue.commits.map((c) => c.sha);

    // `onto` by name: the result names the commit.
    const result = await replayQueue(run, repo, { onto: 'upstream/main', commits: queue.commits, alreadyUpstream: ['1'.repeat(40)], committer, env });
    if (!result.ok) throw new Error(`expected a clean replay, got a conflict on ${result.commit}`);
    const chain = git(repo, 'rev-list', '--reverse', `${upstream}..${result.newTip}`).split('\n');
    expect(chain).toHaveLength(3);
    const treeOf = (sha: string) => git(repo, 'rev-parse', `${sha}^{tree}`);
    expect(result).toEqual({
      ok: true,
      onto: upstream,
      newTip: chain[2],
      newTree: treeOf(chain[2]),
      alreadyUpstream: ['1'.repeat(40)],
      commits: [
        { original: notes, new: chain[0], tree: treeOf(chain[0]) },
        { original: marker, new: chain[1], tree: treeOf(chain[0]) },
        { original: line2, new: null, tree: null, dropped: 'empty' },
        { original: more, new: chain[2], tree: treeOf(chain[2]) },
      ],
    });
    // One parent each, in order, on top of `onto`.
    expect(git(repo, 'rev-list', '--parents', '--reverse', `${upstream}..${result.newTip}`)).toBe(
      [`${chain[0]} ${upstream}`, `${chain[1]} ${chain[0]}`, `${chain[2]} ${chain[1]}`].join('\n'),
    );
    expect(git(repo, 'log', '--reverse', '--format=%an <%ae>|%cn <%ce> %ct|%s', `${upstream}..${result.newTip}`).split('\n')).toEqual([
      'Fixture Author <author@example.com>|Pinned Committer <pinned@example.com> 1700000000|fork: add notes',
      'Fixture Author <author@example.com>|Pinned Committer <pinned@example.com> 1700000000|fork: empty marker',
      'Fixture Author <author@example.com>|Pinned Committer <pinned@example.com> 1700000000|fork: more notes',
    ]);
    expect(git(repo, 'log', '-1', '--format=%b', chain[0])).toBe('why we keep notes');
    expect(git(repo, 'log', '-1', '--format=%cd', '--date=raw', result.newTip)).toBe('1700000000 +0100');
    expect(git(repo, 'fsck', '--no-dangling')).toBe('');
  });

  it('without a committer, stamps the one git names for the env (GIT_COMMITTER_*)', async () => {
    fixture = createForkFixture({ upstreamCommits: [{ files: { 'UP.md': 'up\n' }, message: 'upstream: add' }] });
    const repo = fixture.clone;
    const upstream = git(repo, 'rev-parse', 'upstream/main');
    const queue = await listQueue(run, repo, upstream, 'HEAD', { env });
    const result = await replayQueue(run, repo, { onto: upstream, commits: queue.commits, env });
    if (!result.ok) throw new Error('expected clean');
    expect(git(repo, 'log', '-1', '--format=%cn <%ce>', result.newTip)).toBe('Replay Bot <bot@example.com>');
  });

  it('reuses commits whose parent already is the tip, as rebase fast-forwards them: same SHAs, same tree', async () => {
    fixture = createForkFixture({
      patches: [
        { files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes' },
        { files: { 'src/lib.txt': lib('line 2 fork') }, message: 'fork: line 2' },
      ],
    });
    const repo = fixture.clone;
    const upstream = git(repo, 'rev-parse', 'upstream/main');
    const trunk = git(repo, 'rev-parse', 'HEAD');
    const queue = await listQueue(run, repo, upstream, trunk, { env });
    const result = await replayQueue(run, repo, { onto: upstream, commits: queue.commits, committer, env });
    expect(result).toEqual({
      ok: true,
      onto: upstream,
      newTip: trunk,
      newTree: git(repo, 'rev-parse', 'HEAD^{tree}'),
      alreadyUpstream: [],
      commits: [
        { original: git(repo, 'rev-parse', 'HEAD~1'), new: git(repo, 'rev-parse', 'HEAD~1'), tree: git(repo, 'rev-parse', 'HEAD~1^{tree}'), reused: true },
        { original: trunk, new: trunk, tree: git(repo, 'rev-parse', 'HEAD^{tree}'), reused: true },
      ],
    });
  });

  it('stops at the first conflict with the whole record: subject, conflict messages, the commits before it', async () => {
    fixture = createForkFixture({
      patches: [
        { files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes' },
        { files: { 'src/lib.txt': 'line 1 fork\nline 2\nline 3\n' }, message: 'fork: change line 1\n\nthe body is not the subject\n' },
        { files: { 'FORK.md': 'fork notes 2\n' }, message: 'fork: more notes' },
      ],
      upstreamCommits: [{ files: { 'src/lib.txt': 'line 1 up\nline 2\nline 3\n' }, message: 'upstream: change line 1' }],
    });
    const repo = fixture.clone;
    const upstream = git(repo, 'rev-parse', 'upstream/main');
    const queue = await listQueue(run, repo, upstream, 'HEAD', { env });
    const result = await replayQueue(run, repo, { onto: 'upstream/main', commits: queue.commits, alreadyUpstream: ['2'.repeat(40)], committer, env });
    if (result.ok) throw new Error('expected a conflict');
    const first = result.commits[0]?.new ?? '';
    expect(result).toEqual({
      ok: false,
      onto: upstream,
      failedIndex: 1,
      commit: git(repo, 'rev-parse', 'HEAD~1'),
      subject: 'fork: change line 1',
      files: ['src/lib.txt'],
      conflicts: [{ paths: ['src/lib.txt'], type: 'CONFLICT (contents)', message: 'CONFLICT (content): Merge conflict in src/lib.txt' }],
      commits: [{ original: git(repo, 'rev-parse', 'HEAD~2'), new: first, tree: git(repo, 'rev-parse', `${first}^{tree}`) }],
      alreadyUpstream: ['2'.repeat(40)],
    });
    expect(git(repo, 'rev-parse', `${first}^`)).toBe(upstream);
  });

  it('with objectDir, writes every new object there and none into the repository', async () => {
    fixture = createForkFixture({
      patches: [{ files: { 'src/lib.txt': lib('line 2 fork') }, message: 'fork: line 2' }],
      upstreamCommits: [{ files: { 'UP.md': 'up\n' }, message: 'upstream: add' }],
    });
    const repo = fixture.clone;
    const repoObjects = join(repo, '.git', 'objects');
    const objectDir = mkdtempSync(join(tmpdir(), 'rebase-daily-replay-objects-'));
    scratch.push(objectDir);
    const upstream = git(repo, 'rev-parse', 'upstream/main');
    const queue = await listQueue(run, repo, upstream, 'HEAD', { env });
    const before = loose(repoObjects);
    // The env names no object directory: replay sets it up itself (the repository's store as alternate).
    const result = await replayQueue(run, repo, { onto: upstream, commits: queue.commits, objectDir, committer, env });
    if (!result.ok) throw new Error('expected clean');
    expect(loose(repoObjects)).toBe(before);
    expect(loose(objectDir)).toBeGreaterThan(0);
    expect(() => execFileSync('git', ['cat-file', '-e', result.newTip], { cwd: repo, env: { ...process.env, ...env }, stdio: 'ignore' })).toThrow();
    const withObjects = { ...process.env, ...objectDirEnv(objectDir, repoObjects, env) };
    expect(execFileSync('git', ['show', '--format=%s', '-s', result.newTip], { cwd: repo, env: withObjects, encoding: 'utf8' })).toBe('fork: line 2\n');
    expect(execFileSync('git', ['show', `${result.newTip}:src/lib.txt`], { cwd: repo, env: withObjects, encoding: 'utf8' })).toBe(lib('line 2 fork'));
  });

  it('ends its merge-tree process whether the replay is clean or stops at a conflict', async () => {
    // The session keeps one `git merge-tree --stdin` for all merges when stdbuf is there (it is, on the test machines).
    expect(findStdbuf()).toBeDefined();
    fixture = createForkFixture({
      patches: [
        { files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes' },
        { files: { 'src/lib.txt': 'line 1 fork\nline 2\nline 3\n' }, message: 'fork: change line 1' },
      ],
      upstreamCommits: [{ files: { 'src/lib.txt': 'line 1 up\nline 2\nline 3\n' }, message: 'upstream: change line 1' }],
    });
    const repo = realpathSync(fixture.clone);
    const upstream = git(repo, 'rev-parse', 'upstream/main');
    const queue = await listQueue(run, repo, upstream, 'HEAD', { env });
    const clean = await replayQueue(run, repo, { onto: upstream, commits: queue.commits.slice(0, 1), committer, env });
    expect(clean.ok).toBe(true);
    expect(mergeTreesIn(repo)).toEqual([]);
    const conflict = await replayQueue(run, repo, { onto: upstream, commits: queue.commits, committer, env });
    expect(conflict.ok).toBe(false);
    expect(mergeTreesIn(repo)).toEqual([]);
  });

  it('fails with a plain message when onto is not a commit', async () => {
    fixture = createForkFixture();
    const repo = fixture.clone;
    const queue = await listQueue(run, repo, 'upstream/main', 'HEAD', { env });
    await expect(replayQueue(run, repo, { onto: 'no-such-ref', commits: queue.commits, committer, env })).rejects.toThrow(/^replay: no-such-ref is not a commit$/);
    const tree = git(repo, 'rev-parse', 'upstream/main^{tree}');
    await expect(replayQueue(run, repo, { onto: tree, commits: queue.commits, committer, env })).rejects.toThrow(`replay: ${tree} is not a commit`);
  });

  it("fails with git's own reason when git cannot name a committer", async () => {
    fixture = createForkFixture({ upstreamCommits: [{ files: { 'UP.md': 'up\n' }, message: 'upstream: add' }] });
    const repo = fixture.clone;
    const queue = await listQueue(run, repo, 'upstream/main', 'HEAD', { env });
    // An empty name: git var refuses (strict ident), as a commit would.
    const result = replayQueue(run, repo, { onto: 'upstream/main', commits: queue.commits, env: { ...env, GIT_COMMITTER_NAME: '' } });
    await expect(result).rejects.toThrow(/^git var GIT_COMMITTER_IDENT failed \(exit 128\): fatal: empty ident name \(for <bot@example\.com>\) not allowed$/);
  });
});
