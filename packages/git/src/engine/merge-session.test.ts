import { run } from '@rebase-daily/core';
import { createForkFixture, type ForkFixture, git, makeTempDir } from '@rebase-daily/core/testing';
import { execFileSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findStdbuf, openMergeSession } from './merge-session.js';

/** Real git, real stdbuf (coreutils); a fake stdbuf that does not unbuffer stands in for a git that ignores it. */
const env = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
let fixture: ForkFixture | undefined;
afterEach(() => fixture?.cleanup());

function repoWithMerges() {
  fixture = createForkFixture({
    base: { 'a.txt': 'a\n1\n2\n3\n', 'b.txt': 'b\n1\n2\n3\n' },
    patches: [
      { files: { 'a.txt': 'a\n1\n2\n3 fork\n' }, message: 'fork: a' },
      { files: { 'b.txt': 'b fork\n1\n2\n3\n' }, message: 'fork: b conflicts' },
    ],
    upstreamCommits: [{ files: { 'a.txt': 'a up\n1\n2\n3\n', 'b.txt': 'b up\n1\n2\n3\n' }, message: 'upstream: both' }],
  });
  const repo = fixture.clone;
  // Each pair: upstream merged with one patch (merge base = the fork point).
  return { repo, pairs: [['upstream/main', 'HEAD~1'], ['upstream/main', 'HEAD'], ['upstream/main', 'HEAD~1']].map(([o, t]) => [git(repo, 'rev-parse', o), git(repo, 'rev-parse', t)] as const) };
}

async function mergeAll(repo: string, pairs: readonly (readonly [string, string])[], options: Parameters<typeof openMergeSession>[2]) {
  const session = openMergeSession(run, repo, { env, ...options });
  try {
    const results = [];
    for (const [o, t] of pairs) results.push(await session.merge(o, t));
    return { results, mode: session.mode };
  } finally {
    await session.close();
  }
}

describe('merge sessions', () => {
  it('one long-lived merge-tree answers exactly as one process per merge', async () => {
    expect(findStdbuf()).toBeTruthy();
    const { repo, pairs } = repoWithMerges();
    const conversation = await mergeAll(repo, pairs, { mode: 'conversation' });
    const separate = await mergeAll(repo, pairs, { mode: 'one-per-merge' });
    expect(conversation.mode).toBe('conversation');
    expect(conversation.results).toEqual(separate.results);
    expect(conversation.results.map((r) => [r.clean, r.files])).toEqual([[true, []], [false, ['b.txt']], [true, []]]);
    expect(conversation.results[1].conflicts[0]).toMatchObject({ type: 'CONFLICT (contents)', paths: ['b.txt'] });
  });

  it('runs one process per merge when stdbuf is not on the PATH', async () => {
    const { repo, pairs } = repoWithMerges();
    const bin = makeTempDir('rebase-daily-path-');
    symlinkSync(execFileSync('sh', ['-c', 'command -v git']).toString().trim(), join(bin, 'git'));
    const r = await mergeAll(repo, pairs, { env: { ...env, PATH: bin } });
    expect(r.mode).toBe('one-per-merge');
    expect(r.results.map((x) => x.clean)).toEqual([true, false, true]);
  });

  it('falls back when the first answer does not come (stdout stays buffered), with the same answers', async () => {
    const { repo, pairs } = repoWithMerges();
    const bin = makeTempDir('rebase-daily-fake-stdbuf-');
    // A stdbuf that ignores -o0: git's stdout stays block-buffered, as with a git that ignores stdbuf.
    writeFileSync(join(bin, 'stdbuf'), '#!/bin/sh\nshift\nexec "$@"\n', { mode: 0o755 });
    const PATH = `${bin}:${process.env.PATH}`;
    // Without the fallback the buffered merge-tree never answers and the test's own timeout ends it;
    // the mode says the fallback ran (no wall-clock bound to break on a busy machine).
    const r = await mergeAll(repo, pairs, { env: { ...env, PATH }, firstAnswerMs: 300 });
    expect(r.mode).toBe('one-per-merge');
    expect(r.results).toEqual((await mergeAll(repo, pairs, { mode: 'one-per-merge' })).results);
    // Later sessions with that stdbuf do not try again.
    expect(openMergeSession(run, repo, { env: { ...env, PATH } }).mode).toBe('one-per-merge');
  });

  it.each(['conversation', 'one-per-merge'] as const)('says what git said when a merge cannot run (%s)', async (mode) => {
    const { repo } = repoWithMerges();
    const session = openMergeSession(run, repo, { env, mode });
    await expect(session.merge('0000000000000000000000000000000000000001', 'HEAD')).rejects.toThrow(/git merge-tree .*failed .*not something we can merge/);
    await session.close();
  });
});
