import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commitFiles, git } from '@rebase-daily/core/testing';
import { cli, day, type Day } from './helpers.js';

// Issue 19, "One publish gate", through the CLI on real repositories (bare remotes by path): the
// daily run and `resolve finish` both go through git's publish gate, and each refusal leaves the
// fork remote exactly as it was. A test per path of: an unpushed local commit, a shallow clone,
// markers left by `git rebase --continue`, an extra commit, a stale lease; the resolution report
// built from the gate's proof.
let d: Day | undefined;
afterEach(() => d?.fixture.cleanup());

const LIB = 'src/lib.txt';
const base = { 'README.md': 'upstream project\n', [LIB]: 'line 1\nline 2\nline 3\n' };
const forkRefs = (dd: Day) => git(dd.fixture.originBare, 'for-each-ref', '--format=%(objectname) %(refname)');
const codes = (x: { errors?: { code: string }[] } | null) => (x?.errors ?? []).map((e) => e.code);
const noValidate = ['--no-validate', '--reason', 'fixture fork has no test suite'];
const rd = (dd: Day, ...args: string[]) => cli([...args, '--config', dd.configPath, '--json']);

/** Upstream moved without conflict: daily would rebase and publish. */
const clean = () => day({ base, patches: [{ files: { 'FORK.md': 'fork\n' }, message: 'fork: notes' }], upstreamCommits: [{ files: { 'UP.md': 'up\n' }, message: 'upstream: up' }] });
/** Patch 1 conflicts with upstream on line 2; patch 2 adds a file. */
const conflict = () =>
  day({
    base,
    patches: [
      { files: { [LIB]: 'line 1\nline 2 fork\nline 3\n' }, message: 'fork: change line 2' },
      { files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes' },
    ],
    upstreamCommits: [{ files: { [LIB]: 'line 1\nline 2 upstream\nline 3\n' }, message: 'upstream: change line 2' }],
  });

/** `resolve start` up to the conflict; returns the resolution worktree. */
async function startConflict(dd: Day): Promise<string> {
  const start = await rd(dd, 'resolve', 'start', '--authorised-by', 'test');
  expect(start.code, start.stdout + start.stderr).toBe(0);
  return start.json.data.worktree as string;
}

describe('daily: refusals before anything starts', () => {
  it('an unpushed local trunk commit: E_TRUNK_AHEAD (exit 1), the commit listed, nothing on the fork remote', async () => {
    d = clean();
    const wip = commitFiles(d.fixture.clone, { 'WIP.md': 'not yet\n' }, 'WIP: do not push');
    const before = forkRefs(d);
    const r = await rd(d, 'daily');
    expect(r.code, r.stdout).toBe(1);
    expect(codes(r.json)).toContain('E_TRUNK_AHEAD');
    expect(r.json.errors[0].message).toContain(`${wip.slice(0, 12)} "WIP: do not push"`);
    expect(forkRefs(d)).toBe(before);
  });

  it('a shallow clone: E_SHALLOW_REPO (exit 1) naming git fetch --unshallow, nothing on the fork remote', async () => {
    d = clean();
    git(d.fixture.clone, 'fetch', '-q', '--depth', '1', 'upstream');
    const before = forkRefs(d);
    const r = await rd(d, 'daily');
    expect(r.code, r.stdout).toBe(1);
    expect(codes(r.json)).toContain('E_SHALLOW_REPO');
    expect(r.json.errors[0].message).toContain('git fetch --unshallow');
    expect(forkRefs(d)).toBe(before);
  });

  it('a clean day publishes through the gate: report.json\'s publish section carries the proof', async () => {
    d = clean();
    const r = await rd(d, 'daily');
    expect(r.code, r.stdout).toBe(0);
    const publish = d.report().stages.find((s: { name: string }) => s.name === 'publish');
    expect(publish.data.proof.queue.entries.map((e: { status: string }) => e.status)).toEqual(['same']);
    expect(publish.data.proof.validation.kind).toBe('not-configured');
    expect(git(d.fixture.originBare, 'rev-parse', d.fixture.trunk)).toBe(git(d.fixture.clone, 'rev-parse', d.fixture.trunk));
  });
});

describe('resolve: the same gate before the fork remote', () => {
  it('markers left by `git rebase --continue` in the resolution worktree: finish refuses with E_CONFLICT_MARKERS, nothing published', async () => {
    d = conflict();
    expect((await rd(d, 'daily')).code).toBe(10);
    const wt = await startConflict(d);
    // git's own hint: add the file as it is (markers and all) and continue.
    git(wt, 'add', LIB);
    git(wt, '-c', 'core.editor=true', 'rebase', '--continue');
    const before = forkRefs(d);
    const trunkBefore = git(d.fixture.clone, 'rev-parse', d.fixture.trunk);
    const fin = await rd(d, 'resolve', 'finish', ...noValidate);
    expect(fin.code, fin.stdout + fin.stderr).toBe(1);
    expect(codes(fin.json)).toContain('E_CONFLICT_MARKERS');
    expect(fin.json.errors[0].message).toContain(LIB);
    expect(forkRefs(d)).toBe(before);
    expect(git(d.fixture.clone, 'rev-parse', d.fixture.trunk), 'local trunk moved back').toBe(trunkBefore);
  });

  it('an extra commit in the resolution worktree: finish refuses with E_QUEUE_MISMATCH, nothing published', async () => {
    d = conflict();
    const wt = await startConflict(d);
    writeFileSync(join(wt, LIB), 'line 1\nline 2 upstream and fork\nline 3\n');
    git(wt, 'add', LIB);
    expect((await rd(d, 'resolve', 'continue')).code).toBe(0);
    commitFiles(wt, { 'EXTRA.md': 'an extra fix\n' }, 'fix: extra');
    const before = forkRefs(d);
    const fin = await rd(d, 'resolve', 'finish', ...noValidate);
    expect(fin.code, fin.stdout + fin.stderr).toBe(1);
    expect(codes(fin.json)).toContain('E_QUEUE_MISMATCH');
    expect(fin.json.errors[0].message).toContain('extra commit');
    expect(forkRefs(d)).toBe(before);
  });

  it('a stale lease (the fork trunk moved during the resolution): exit 12, nothing published', async () => {
    d = conflict();
    const wt = await startConflict(d);
    writeFileSync(join(wt, LIB), 'line 1\nline 2 upstream and fork\nline 3\n');
    git(wt, 'add', LIB);
    expect((await rd(d, 'resolve', 'continue')).code).toBe(0);
    const other = d.fixture.otherClone();
    git(other, 'checkout', '-q', d.fixture.trunk);
    commitFiles(other, { 'THEIRS.md': 'theirs\n' }, 'someone else');
    git(other, 'push', '-q', 'origin', d.fixture.trunk);
    const before = forkRefs(d);
    const fin = await rd(d, 'resolve', 'finish', ...noValidate);
    expect(fin.code, fin.stdout + fin.stderr).toBe(12);
    expect(codes(fin.json)).toContain('E_LEASE_BLOCKED');
    expect(forkRefs(d)).toBe(before);
  });

  it('a shallow clone: resolve start refuses with E_SHALLOW_REPO, nothing made', async () => {
    d = conflict();
    git(d.fixture.clone, 'fetch', '-q', '--depth', '1', 'upstream');
    const r = await rd(d, 'resolve', 'start', '--authorised-by', 'test');
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(codes(r.json)).toContain('E_SHALLOW_REPO');
  });

  it('an unpushed local trunk commit: resolve start refuses with E_TRUNK_AHEAD', async () => {
    d = conflict();
    commitFiles(d.fixture.clone, { 'WIP.md': 'not yet\n' }, 'WIP: do not push');
    const r = await rd(d, 'resolve', 'start', '--authorised-by', 'test');
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(codes(r.json)).toContain('E_TRUNK_AHEAD');
  });

  it('the resolution report\'s patch list is the gate\'s proof: it equals `git range-diff old-queue new-queue` of the published refs', async () => {
    d = conflict();
    const oldTrunk = git(d.fixture.clone, 'rev-parse', d.fixture.trunk);
    const wt = await startConflict(d);
    writeFileSync(join(wt, LIB), 'line 1\nline 2 upstream and fork\nline 3\n');
    git(wt, 'add', LIB);
    expect((await rd(d, 'resolve', 'continue')).code).toBe(0);
    const fin = await rd(d, 'resolve', 'finish', ...noValidate);
    expect(fin.code, fin.stdout + fin.stderr).toBe(0);
    const report = fin.json.data.report;
    const published = git(d.fixture.originBare, 'rev-parse', d.fixture.trunk);
    const upstream = git(d.fixture.originBare, 'rev-parse', d.fixture.mirror);
    const oldBase = git(d.fixture.clone, 'merge-base', oldTrunk, upstream);
    const rdOut = git(d.fixture.clone, 'range-diff', '--no-color', '--creation-factor=100', `${oldBase}..${oldTrunk}`, `${upstream}..${published}`);
    const fromGit = rdOut
      .split('\n')
      .map((l) => /^\s*(\d+|-+):\s+([0-9a-f]+|-+) ([=!<>]) \s*(\d+|-+):\s+([0-9a-f]+|-+) /.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1] === '-' ? null : Number(m[1]), { '=': 'same', '!': 'changed', '<': 'dropped', '>': 'added' }[m[3]], m[4] === '-' ? null : Number(m[4])]);
    expect(report.patches.map((p: { oldPosition: number | null; status: string; newPosition: number | null }) => [p.oldPosition, p.status, p.newPosition])).toEqual(fromGit);
    expect(report.patches.map((p: { newSha: string | null }) => p.newSha)).toEqual([git(d.fixture.clone, 'rev-parse', `${published}~1`), published]);
    expect(report.proof.leases.map((l: { branch: string }) => l.branch)).toEqual([d.fixture.mirror, d.fixture.trunk]);
  });
});
