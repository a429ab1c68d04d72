import { afterEach, describe, expect, it } from 'vitest';
import { boundRunner, CommandLog } from '@rebase-daily/core';
import { commitFiles, createForkFixture, git, type ForkFixture } from '@rebase-daily/core/testing';
import { publishRefs } from './publish.js';

// publishRefs against a real bare remote: one atomic push, an explicit lease per ref.
const run = boundRunner(new CommandLog());
let f: ForkFixture | undefined;
afterEach(() => f?.cleanup());
const remoteRefs = (bare: string) => git(bare, 'for-each-ref', '--format=%(objectname) %(refname)');

function setup() {
  f = createForkFixture({ upstreamCommits: [{ files: { 'UP.md': 'up\n' }, message: 'upstream: up' }] });
  const upstream = git(f.clone, 'rev-parse', 'upstream/main');
  const mirror = git(f.clone, 'rev-parse', 'origin/main');
  const trunk = git(f.clone, 'rev-parse', `origin/${f.trunk}`);
  git(f.clone, 'checkout', '-q', '-b', 'next', upstream);
  const next = commitFiles(f.clone, { 'FORK.md': 'fork notes, rebased\n' }, 'fork: add notes');
  return { upstream, mirror, trunk, next };
}

describe('publishRefs', () => {
  it('moves every ref in one atomic push when every lease holds', async () => {
    const s = setup();
    const r = await publishRefs(run, f!.clone, 'origin', [
      { branch: 'main', expected: s.mirror, next: s.upstream },
      { branch: f!.trunk, expected: s.trunk, next: s.next },
    ], { atomic: true });
    expect(r).toMatchObject({ ok: true, atomic: true, lease: null });
    expect(r.commands).toHaveLength(1);
    expect(r.commands[0]).toContain('--atomic');
    expect(r.commands[0]).toContain(`--force-with-lease=refs/heads/${f!.trunk}:${s.trunk}`);
    expect(git(f!.originBare, 'rev-parse', 'main', f!.trunk).split('\n')).toEqual([s.upstream, s.next]);
  });

  it('one stale lease: nothing is published, and the lease names the ref and its actual SHA', async () => {
    const s = setup();
    const other = f!.otherClone();
    git(other, 'checkout', '-q', f!.trunk);
    const theirs = commitFiles(other, { 'OTHER.md': 'x\n' }, 'other: pushed meanwhile');
    git(other, 'push', '-q', 'origin', f!.trunk);
    const before = remoteRefs(f!.originBare);
    const r = await publishRefs(run, f!.clone, 'origin', [
      { branch: 'main', expected: s.mirror, next: s.upstream },
      { branch: f!.trunk, expected: s.trunk, next: s.next },
    ], { atomic: true });
    expect(r.ok).toBe(false);
    expect(r.lease).toMatchObject({ ref: `refs/heads/${f!.trunk}`, expected: s.trunk, actual: theirs });
    expect(remoteRefs(f!.originBare)).toBe(before);
  });

  it('nothing to publish is a success with no push', async () => {
    setup();
    expect(await publishRefs(run, f!.clone, 'origin', [], { atomic: true })).toMatchObject({ ok: true, commands: [] });
  });
});
