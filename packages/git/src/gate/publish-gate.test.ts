import { afterEach, describe, expect, it } from 'vitest';
import { boundRunner, CommandLog, VersionConfigSchema, type ValidationEvidence } from '@rebase-daily/core';
import { commitFiles, createForkFixture, git, type ForkFixture } from '@rebase-daily/core/testing';
import { publishThroughGate, type GateRequest } from './publish-gate.js';
import { proofPatches } from './proof-patches.js';

// The publish gate against real repositories: a fork clone, its bare fork remote (origin) and
// upstream, by file path. Each refusal must leave the fork remote exactly as it was.
const run = boundRunner(new CommandLog());
let f: ForkFixture | undefined;
afterEach(() => f?.cleanup());

type Commit = { files: Record<string, string | null>; message: string };
const PATCHES: Commit[] = [
  { files: { 'a.txt': 'a\n' }, message: 'fork: patch 1' },
  { files: { 'b.txt': 'b\n' }, message: 'fork: patch 2' },
  { files: { 'c.txt': 'c\n' }, message: 'fork: patch 3' },
];

/** A fork of three patches, upstream one commit ahead; `new` is checked out at upstream, ready to build a new trunk on. */
function setup(upstreamCommits: Commit[] = [{ files: { 'UP.md': 'up\n' }, message: 'upstream: up' }], patches = PATCHES) {
  f = createForkFixture({ patches, upstreamCommits });
  const upstream = git(f.clone, 'rev-parse', 'upstream/main');
  const oldTip = git(f.clone, 'rev-parse', f.trunk);
  git(f.clone, 'checkout', '-q', '-b', 'new', upstream);
  return { upstream, oldTip, mirror: git(f.clone, 'rev-parse', 'origin/main') };
}
const pick = (...revs: string[]) => git(f!.clone, 'cherry-pick', '--allow-empty', ...revs);
const head = () => git(f!.clone, 'rev-parse', 'HEAD');
const tree = (rev: string) => git(f!.clone, 'rev-parse', `${rev}^{tree}`);
const forkRefs = () => git(f!.originBare, 'for-each-ref', '--format=%(objectname) %(refname)');
const validated = (rev: string): ValidationEvidence => ({ kind: 'validated', tree: tree(rev), runId: 'test', at: null, reason: null });

function request(s: { upstream: string; oldTip: string; mirror: string }, newTip: string, extra: Partial<GateRequest> = {}): GateRequest {
  return {
    repo: f!.clone,
    remote: 'origin',
    trunk: { oldTip: s.oldTip, upstream: s.upstream, newTip },
    validation: validated(newTip),
    refs: [
      { branch: 'main', expected: s.mirror, next: s.upstream },
      { branch: f!.trunk, expected: s.oldTip, next: newTip },
    ],
    atomic: true,
    since: 'since the run started',
    ...extra,
  };
}

/** Refused with `code`, nothing pushed. */
async function expectRefused(req: GateRequest, code: string) {
  const before = forkRefs();
  const out = await publishThroughGate(run, req);
  expect(out.kind === 'refused' ? out.error.code : `pushed`).toBe(code);
  expect(forkRefs()).toBe(before);
  return out;
}

describe('publishThroughGate', () => {
  it('proves a clean replay patch by patch (same patch-ids) and pushes every ref with its lease', async () => {
    const s = setup();
    pick(`${s.oldTip}~2`, `${s.oldTip}~1`, s.oldTip);
    const out = await publishThroughGate(run, request(s, head()));
    expect(out.kind).toBe('pushed');
    if (out.kind !== 'pushed') return;
    expect(out.publish.ok).toBe(true);
    expect(out.proof.queue!.entries.map((e) => [e.status, e.old?.position, e.new?.position])).toEqual([['same', 1, 1], ['same', 2, 2], ['same', 3, 3]]);
    expect(out.proof.queue!.entries.every((e) => e.old!.patchId === e.new!.patchId && e.old!.patchId !== null)).toBe(true);
    expect(out.proof.markers.checked).toEqual(expect.arrayContaining(['a.txt', 'b.txt', 'c.txt']));
    expect(out.proof.validation?.kind).toBe('validated');
    expect(git(f!.originBare, 'rev-parse', f!.trunk)).toBe(head());
  });

  it('a folded patch (patch 1 squashed into patch 2) is refused: E_QUEUE_MISMATCH names patch 1', async () => {
    const s = setup();
    pick(`${s.oldTip}~2`, `${s.oldTip}~1`);
    git(f!.clone, 'reset', '--soft', 'HEAD~2');
    git(f!.clone, 'commit', '-q', '-m', 'fork: patch 2');
    pick(s.oldTip);
    const out = await expectRefused(request(s, head()), 'E_QUEUE_MISMATCH');
    expect(out.kind === 'refused' && out.error.message).toContain('"fork: patch 1"');
  });

  it('an extra commit is refused (E_QUEUE_MISMATCH), unless a recorded decision adds it', async () => {
    const s = setup();
    pick(`${s.oldTip}~2`, `${s.oldTip}~1`, s.oldTip);
    const extra = commitFiles(f!.clone, { 'WIP.md': 'do not push\n' }, 'WIP: do not push');
    const out = await expectRefused(request(s, extra), 'E_QUEUE_MISMATCH');
    expect(out.kind === 'refused' && out.error.message).toContain('extra commit');
    const ok = await publishThroughGate(run, request(s, extra, { decisions: { added: [{ sha: extra, reason: 'agent fix, recorded' }] } }));
    expect(ok.kind === 'pushed' && ok.proof.queue!.entries.map((e) => e.status)).toEqual(['same', 'same', 'same', 'added']);
  });

  it('a patch left out is refused unless upstream has it: proved by patch-id, or by an empty replay onto upstream', async () => {
    // Upstream took patch 2 verbatim (same patch-id) and patch 3's content in another shape (c.txt with the same bytes, plus more).
    const s = setup([
      { files: { 'b.txt': 'b\n' }, message: 'upstream: take patch 2' },
      { files: { 'c.txt': 'c\n', 'UP.md': 'up\n' }, message: 'upstream: take patch 3 with more' },
    ]);
    pick(`${s.oldTip}~2`);
    const out = await publishThroughGate(run, request(s, head()));
    expect(out.kind).toBe('pushed');
    if (out.kind !== 'pushed') return;
    const [p1, p2, p3] = out.proof.queue!.entries;
    expect(p1.status).toBe('same');
    expect(p2).toMatchObject({ status: 'dropped-upstream', proof: expect.stringContaining('same patch-id') });
    expect(p3).toMatchObject({ status: 'dropped-upstream', proof: expect.stringContaining('replay onto upstream') });
  });

  it('a lost patch (left out, upstream does not have it) is refused', async () => {
    const s = setup();
    pick(`${s.oldTip}~2`, s.oldTip);
    const out = await expectRefused(request(s, head()), 'E_QUEUE_MISMATCH');
    expect(out.kind === 'refused' && out.error.message).toContain('patch 2');
  });

  it('conflict markers the new queue adds are refused (E_CONFLICT_MARKERS); markers the old trunk already had are not', async () => {
    const s = setup();
    pick(`${s.oldTip}~2`, `${s.oldTip}~1`, s.oldTip);
    commitFiles(f!.clone, { 'c.txt': '<<<<<<< HEAD\nc\n=======\nc2\n>>>>>>> patch\n' }, 'fork: patch 3');
    git(f!.clone, 'reset', '--soft', 'HEAD~2');
    git(f!.clone, 'commit', '-q', '-m', 'fork: patch 3');
    const out = await expectRefused(request(s, head()), 'E_CONFLICT_MARKERS');
    expect(out.kind === 'refused' && out.error.message).toContain('c.txt (2 marker line(s))');
  });

  it('markers already in the old queue are not "introduced"', async () => {
    const s = setup(undefined, [...PATCHES.slice(0, 2), { files: { 'c.txt': 'text\n<<<<<<< example in docs\n' }, message: 'fork: patch 3' }]);
    pick(`${s.oldTip}~2`, `${s.oldTip}~1`, s.oldTip);
    const out = await publishThroughGate(run, request(s, head()));
    expect(out.kind).toBe('pushed');
  });

  it('an unvalidated tree is refused (E_UNVALIDATED_TREE): evidence for another tree, none, or a waiver without a reason', async () => {
    const s = setup();
    pick(`${s.oldTip}~2`, `${s.oldTip}~1`, s.oldTip);
    await expectRefused(request(s, head(), { validation: validated(`${head()}~1`) }), 'E_UNVALIDATED_TREE');
    await expectRefused(request(s, head(), { validation: null }), 'E_UNVALIDATED_TREE');
    await expectRefused(request(s, head(), { validation: { kind: 'waived', tree: null, runId: null, at: null, reason: ' ' } }), 'E_UNVALIDATED_TREE');
    const waived = await publishThroughGate(run, request(s, head(), { validation: { kind: 'waived', tree: null, runId: 'r', at: null, reason: 'hotfix, approved by ops' } }));
    expect(waived.kind === 'pushed' && waived.proof.validation?.reason).toBe('hotfix, approved by ops');
  });

  it('a stale lease (the fork trunk moved since the run started) is refused before anything is sent (E_LEASE_BLOCKED)', async () => {
    const s = setup();
    pick(`${s.oldTip}~2`, `${s.oldTip}~1`, s.oldTip);
    const other = f!.otherClone();
    git(other, 'checkout', '-q', f!.trunk);
    commitFiles(other, { 'THEIRS.md': 'theirs\n' }, 'someone else');
    git(other, 'push', '-q', 'origin', f!.trunk);
    const out = await expectRefused(request(s, head()), 'E_LEASE_BLOCKED');
    expect(out.proof.leases.find((l) => l.branch === f!.trunk)?.actual).toBe(git(other, 'rev-parse', 'HEAD'));
  });

  it('a shallow clone is refused (E_SHALLOW_REPO, git fetch --unshallow)', async () => {
    const s = setup();
    pick(`${s.oldTip}~2`, `${s.oldTip}~1`, s.oldTip);
    git(f!.clone, 'fetch', '-q', '--depth', '1', 'upstream');
    const out = await expectRefused(request(s, head()), 'E_SHALLOW_REPO');
    expect(out.kind === 'refused' && out.error.message).toContain('git fetch --unshallow');
  });

  it('one version bump: old bumps superseded, a fresh one at the tip; two bumps after a replay are refused', async () => {
    const version = VersionConfigSchema.parse({ suffix: '-fork.1' });
    const bump = (v: string) => commitFiles(f!.clone, { 'VERSION': `${v}\n` }, `chore(fork): set fork version to ${v}\n\nRebase-Daily-Bump: ${v}`);
    const s = setup();
    git(f!.clone, 'checkout', '-q', f!.trunk);
    const oldBump = bump('1.0.0-fork.1');
    git(f!.clone, 'push', '-q', 'origin', f!.trunk);
    git(f!.clone, 'checkout', '-q', 'new');
    const s2 = { ...s, oldTip: oldBump };
    pick(`${s.oldTip}~2`, `${s.oldTip}~1`, s.oldTip);
    const tip = bump('1.1.0-fork.1');
    const ok = await publishThroughGate(run, request(s2, tip, { version, refs: [{ branch: f!.trunk, expected: oldBump, next: tip }] }));
    expect(ok.kind === 'pushed' && ok.proof.queue!.entries.map((e) => e.status)).toEqual(['same', 'same', 'same', 'superseded-bump', 'bump']);
    git(f!.clone, 'push', '-q', '-f', 'origin', `${oldBump}:refs/heads/${f!.trunk}`);
    git(f!.clone, 'reset', '-q', '--hard', 'HEAD~1');
    pick(oldBump);
    const two = bump('1.1.0-fork.1');
    await expectRefused(request(s2, two, { version, refs: [{ branch: f!.trunk, expected: oldBump, next: two }] }), 'E_QUEUE_MISMATCH');
  });

  it('proofPatches: the published queue as range-diff entries with full SHAs', async () => {
    const s = setup();
    pick(`${s.oldTip}~2`, `${s.oldTip}~1`, s.oldTip);
    const out = await publishThroughGate(run, request(s, head()));
    if (out.kind !== 'pushed') throw new Error('refused');
    const patches = proofPatches(out.proof);
    expect(patches.map((p) => [p.oldPosition, p.status, p.newPosition, p.newSha])).toEqual([
      [1, 'same', 1, git(f!.clone, 'rev-parse', 'HEAD~2')],
      [2, 'same', 2, git(f!.clone, 'rev-parse', 'HEAD~1')],
      [3, 'same', 3, head()],
    ]);
  });
});
