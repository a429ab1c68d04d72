import { afterEach, describe, expect, it } from 'vitest';
import { boundRunner, CommandLog } from '@rebase-daily/core';
import { commitFiles, createForkFixture, git, type ForkFixture } from '@rebase-daily/core/testing';
import { publishRefs } from './push-refs.js';

// publishRefs against a real bare remote, through the publish stage's push code (lease-push.ts):
// one atomic push with an explicit lease per ref, or ref by ref under publish.atomic: false.
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

  it('publish.atomic false: one leased push per ref in order, each with its own explicit lease', async () => {
    const s = setup();
    const r = await publishRefs(run, f!.clone, 'origin', [
      { branch: 'main', expected: s.mirror, next: s.upstream },
      { branch: f!.trunk, expected: s.trunk, next: s.next },
    ], { atomic: false });
    expect(r).toMatchObject({ ok: true, atomic: false, atomicUnsupported: false, lease: null, error: null });
    expect(r.commands).toHaveLength(2);
    expect(r.commands.some((c) => c.includes('--atomic'))).toBe(false);
    expect(r.commands[0]).toContain(`--force-with-lease=refs/heads/main:${s.mirror}`);
    expect(r.commands[1]).toContain(`--force-with-lease=refs/heads/${f!.trunk}:${s.trunk}`);
    expect(git(f!.originBare, 'rev-parse', 'main', f!.trunk).split('\n')).toEqual([s.upstream, s.next]);
  });

  it('publish.atomic false: the first refusal stops the rest, which are not attempted', async () => {
    const s = setup();
    const other = f!.otherClone();
    git(other, 'checkout', '-q', 'main');
    const theirs = commitFiles(other, { 'OTHER.md': 'x\n' }, 'other: mirror moved meanwhile');
    git(other, 'push', '-q', 'origin', 'main');
    const before = remoteRefs(f!.originBare);
    const r = await publishRefs(run, f!.clone, 'origin', [
      { branch: 'main', expected: s.mirror, next: s.upstream },
      { branch: f!.trunk, expected: s.trunk, next: s.next },
    ], { atomic: false });
    expect(r.ok).toBe(false);
    expect(r.commands).toHaveLength(1);
    expect(r.refs.map((p) => [p.branch, p.ok, p.outcome.split(':')[0]])).toEqual([
      ['main', false, 'stale-info'],
      [f!.trunk, false, 'not-attempted'],
    ]);
    expect(r.lease).toMatchObject({ ref: 'refs/heads/main', expected: s.mirror, actual: theirs });
    expect(remoteRefs(f!.originBare)).toBe(before);
  });

  it('a remote that refuses --atomic: E_ATOMIC_UNSUPPORTED, nothing sent, no silent fallback', async () => {
    const s = setup();
    git(f!.originBare, 'config', 'receive.advertiseAtomic', 'false');
    const before = remoteRefs(f!.originBare);
    const r = await publishRefs(run, f!.clone, 'origin', [
      { branch: 'main', expected: s.mirror, next: s.upstream },
      { branch: f!.trunk, expected: s.trunk, next: s.next },
    ], { atomic: true });
    expect(r).toMatchObject({ ok: false, atomic: true, atomicUnsupported: true, error: { code: 'E_ATOMIC_UNSUPPORTED' } });
    expect(r.commands).toHaveLength(1);
    expect(remoteRefs(f!.originBare)).toBe(before);
  });

  it('nothing to publish is a success with no push', async () => {
    setup();
    expect(await publishRefs(run, f!.clone, 'origin', [], { atomic: true })).toMatchObject({ ok: true, commands: [] });
  });
});
