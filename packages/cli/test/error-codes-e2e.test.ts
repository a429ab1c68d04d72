import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunState, loadConfig, saveState } from '@rebase-daily/core';
import { commitFiles, FETCHED, git, RUN_BOOKKEEPING, snapshotRepo, unexpectedChanges, type RepoSnapshot } from '@rebase-daily/core/testing';
import { initGraphiteStack } from '@rebase-daily/graphite/testing';
import { cleanupDay, cli, day, useThrowawayHome, spawnCli, type Day } from './helpers.js';

// Issue 12, "End-to-end gaps": each documented error code that no other CLI test makes occur, made
// to occur here through the CLI on real repos (bare remotes by path), real gt, real cargo's absence.
// Each case asserts the exit code, the error code in the envelope and in report.json (where the run
// got far enough to write one), and that nothing the user owns changed (core's repo snapshot).
// e2e-coverage.test.ts fails when a documented code has no such test.
let d: Day | undefined;
useThrowawayHome('rebase-daily-codes-home-');
afterEach(() => {
  cleanupDay(d);
  d = undefined;
});

const upstreamMoved = { upstreamCommits: [{ files: { 'UP.md': 'new upstream file\n' }, message: 'upstream: new file' }] };
const snap = (dd: Day): RepoSnapshot => snapshotRepo({ repo: dd.fixture.clone, remotes: [dd.fixture.upstreamBare, dd.fixture.originBare] });
/** What any run that got past its refusals writes: its scratch dir, the exclude line, FETCH_HEAD, git's reflogs. */
const RUN_WRITES = [...RUN_BOOKKEEPING, ...FETCHED, /^files [+~] \.git\/logs\//];
const codes = (x: { errors?: { code: string }[] }) => (x.errors ?? []).map((e) => e.code);
const runsWritten = (dd: Day) => (existsSync(join(dd.fixture.clone, '.scratch', 'rebase-daily', 'runs')) ? readdirSync(join(dd.fixture.clone, '.scratch', 'rebase-daily', 'runs')) : []);

/** `daily` (or another command) with --json: exit code, envelope codes, and report.json's exit code and codes. */
async function expectRun(dd: Day, args: string[], exit: number, code: string) {
  const r = await cli([...args, '--config', dd.configPath, '--json']);
  expect(r.code, r.stdout + r.stderr).toBe(exit);
  expect(codes(r.json), JSON.stringify(r.json.errors)).toContain(code);
  const report = dd.report();
  expect(report.exitCode).toBe(exit);
  expect(codes(report)).toContain(code);
  expect(r.json.data.runId).toBe(report.runId);
  expect(r.json.data.decision).toMatchObject({ outcome: report.outcome, exitCode: exit });
  return { r, report };
}

describe('refusals before anything is touched: the code in report.json, nothing the user owns changed', () => {
  it('E_REMOTE_MISSING, E_FETCH_FAILED, E_BRANCH_MISSING, E_GIT_LOCK (exit 1) and E_REPO_PATH (exit 2, no report) on one fork', async () => {
    d = day(upstreamMoved);
    const c = d.fixture.clone;
    const { trunk, mirror } = d.fixture;
    const upstreamUrl = git(c, 'remote', 'get-url', 'upstream');
    const lockFile = join(c, '.git', 'refs', 'heads', 'stray.lock');
    // Each case breaks one thing, runs `daily`, then puts the thing back for the next.
    const cases: [string, string, () => void, () => void][] = [
      ['E_REMOTE_MISSING', 'the upstream remote removed', () => git(c, 'remote', 'rename', 'upstream', 'upstream-old'), () => git(c, 'remote', 'rename', 'upstream-old', 'upstream')],
      ['E_FETCH_FAILED', 'the upstream remote points at a path that is gone', () => git(c, 'remote', 'set-url', 'upstream', join(d!.fixture.root, 'gone.git')), () => git(c, 'remote', 'set-url', 'upstream', upstreamUrl)],
      [
        'E_BRANCH_MISSING',
        'the trunk exists on the fork remote but not locally',
        () => (git(c, 'checkout', '-q', mirror), git(c, 'branch', '-q', '-D', trunk)),
        () => (git(c, 'branch', '-q', trunk, `origin/${trunk}`), git(c, 'checkout', '-q', trunk)),
      ],
      ['E_GIT_LOCK', 'a git lock file no killed run of rebase-daily left', () => writeFileSync(lockFile, ''), () => rmSync(lockFile)],
    ];
    const seen: string[] = [];
    for (const [code, what, breakIt, fixIt] of cases) {
      breakIt();
      const before = snap(d);
      const { report } = await expectRun(d, ['daily'], 1, code);
      seen.push(...codes(report));
      expect(report, what).toMatchObject({ outcome: 'error', pushed: [] });
      expect(unexpectedChanges(before, snap(d), RUN_WRITES), what).toEqual([]);
      if (code === 'E_GIT_LOCK') expect(existsSync(lockFile), 'the lock file is not the run\'s to remove').toBe(true);
      fixIt();
    }
    // Each run's report.json holds exactly its one code.
    expect(seen).toEqual(['E_REMOTE_MISSING', 'E_FETCH_FAILED', 'E_BRANCH_MISSING', 'E_GIT_LOCK']);

    const before = snapshotRepo({ repo: d.fixture.root, beside: d.fixture.root });
    const runs = runsWritten(d);
    for (const path of [join(d.fixture.root, 'nope'), join(c, 'README.md')]) {
      const r = await cli(['daily', '--config', d.configPath, '--repo', path, '--json']);
      expect(r.code, r.stdout).toBe(2);
      expect(r.json).toMatchObject({ exitCode: 2, outcome: 'usage-error' });
      expect(codes(r.json)).toEqual(['E_REPO_PATH']);
    }
    expect(runsWritten(d)).toEqual(runs);
    expect(unexpectedChanges(before, snapshotRepo({ repo: d.fixture.root, beside: d.fixture.root }))).toEqual([]);
  }, 90_000);
});

describe('verify and apply as separate commands (one fork)', () => {
  it('E_NOT_VERIFIED (apply before any verify), E_MOVED_SINCE_VERIFY (a commit between verify and apply), E_MIRROR_DIVERGED: exit 1, nothing moved or pushed', async () => {
    d = day(upstreamMoved);
    const c = d.fixture.clone;
    let before = snap(d);
    const unverified = await expectRun(d, ['apply'], 1, 'E_NOT_VERIFIED');
    expect(unverified.report).toMatchObject({ stoppedBy: 'apply', pushed: [] });
    expect(unexpectedChanges(before, snap(d), RUN_WRITES)).toEqual([]);

    expect((await cli(['verify', '--config', d.configPath])).code).toBe(0);
    const mine = commitFiles(c, { 'MINE.md': 'my work\n' }, 'mine: work after verify');
    before = snap(d);
    const moved = await expectRun(d, ['apply'], 1, 'E_MOVED_SINCE_VERIFY');
    expect(moved.report).toMatchObject({ stoppedBy: 'apply', pushed: [] });
    expect(git(c, 'rev-parse', d.fixture.trunk), 'the newcomer stays').toBe(mine);
    expect(unexpectedChanges(before, snap(d), RUN_WRITES)).toEqual([]);
    // The newcomer is the user's to push or drop; a daily run with it on the trunk would stop at
    // E_TRUNK_AHEAD (publish-gate-e2e) before the mirror check this case is about.
    git(c, 'reset', '-q', '--hard', 'HEAD~1');

    git(c, 'checkout', '-q', d.fixture.mirror);
    commitFiles(c, { 'LOCAL.md': 'not upstream\n' }, 'local: commit on the mirror');
    git(c, 'checkout', '-q', d.fixture.trunk);
    before = snap(d);
    const diverged = await expectRun(d, ['daily'], 1, 'E_MIRROR_DIVERGED');
    expect(diverged.report).toMatchObject({ stoppedBy: 'apply', pushed: [] });
    expect(unexpectedChanges(before, snap(d), RUN_WRITES)).toEqual([]);
  }, 90_000);
});

describe('a crashed run left something that cannot be removed', () => {
  it("E_CLEANUP: its temporary branch is checked out in the user's worktree: exit 1, the branch and the worktree left alone", async () => {
    d = day();
    const c = d.fixture.clone;
    const loaded = loadConfig({ configPath: d.configPath, cwd: d.fixture.root, env: {} });
    if (!loaded.ok) throw new Error(loaded.errors.join());
    const runId = '20200101T000000Z-1-dead';
    const temp = `rebase-daily/verify-${runId}`;
    git(c, 'branch', temp, d.fixture.trunk);
    const state = { ...createRunState(loaded.config, { command: 'daily', stages: ['verify', 'apply', 'report'] }, runId), temporaries: [{ kind: 'branch' as const, path: temp }] };
    mkdirSync(join(c, '.scratch', 'rebase-daily', 'runs', runId), { recursive: true });
    saveState(state);
    const wt = join(d.fixture.root, 'my-worktree');
    git(c, 'worktree', 'add', '-q', wt, temp);
    const before = snap(d);
    const { report } = await expectRun(d, ['verify'], 1, 'E_CLEANUP');
    expect(report.outcome).toBe('error');
    expect(report.errors.find((e: any) => e.code === 'E_CLEANUP').message).toContain(temp);
    expect(git(wt, 'symbolic-ref', '--short', 'HEAD')).toBe(temp);
    expect(unexpectedChanges(before, snap(d), RUN_WRITES)).toEqual([]);
  }, 60_000);
});

describe('validate with cargo missing', () => {
  it('E_TOOL_MISSING: PATH without cargo: exit 1, nothing moved or pushed', async () => {
    d = day(
      {
        base: { 'Cargo.toml': '[package]\nname = "demo"\nversion = "0.1.0"\nedition = "2021"\n', 'src/lib.rs': 'pub fn demo() {}\n', '.gitignore': '/target\n' },
        ...upstreamMoved,
      },
      { validate: { cwd: '.', format: false } },
    );
    const before = snap(d);
    // The built CLI in its own process, with a PATH that has git and sh but no cargo (rustup puts it
    // under ~/.cargo/bin); `validate` alone checks the trunk as it is.
    const run = spawnCli(['validate', '--config', d.configPath, '--json'], { PATH: '/usr/bin:/bin' });
    const { code, stdout, stderr } = await run.done;
    expect(code, stderr).toBe(1);
    const json = JSON.parse(stdout);
    expect(codes(json)).toContain('E_TOOL_MISSING');
    const report = d.report();
    expect(report).toMatchObject({ exitCode: 1, outcome: 'error', stoppedBy: 'validate', pushed: [] });
    expect(codes(report)).toContain('E_TOOL_MISSING');
    expect(report.errors.find((e: any) => e.code === 'E_TOOL_MISSING').message).toMatch(/^cargo not found/);
    expect(unexpectedChanges(before, snap(d), RUN_WRITES)).toEqual([]);
  }, 60_000);
});

describe('exit 13 on one Graphite stack (real gt)', () => {
  it('E_GRAPHITE_SYNC_FAILED (onSyncFailure "stop"), E_GRAPHITE_WORKTREE_BUSY, E_GRAPHITE_PARENTAGE: each stops the day, the stack as it was', async () => {
    d = day(upstreamMoved);
    const c = d.fixture.clone;
    const trunk = d.fixture.trunk;
    initGraphiteStack(c, trunk, [
      { name: 'a1', parent: trunk, files: { 'a1.txt': 'a1\n' } },
      { name: 'a2', parent: 'a1', files: { 'a2.txt': 'a2\n' } },
    ]);
    const config = (graphite: Record<string, unknown>) =>
      writeFileSync(d!.configPath, JSON.stringify({ repo: c, trunk, mirror: d!.fixture.mirror, upstreamBranch: d!.fixture.upstreamBranch, graphite: { syncTimeoutSeconds: 1, ...graphite } }));
    // gt's own caches, snapshots and event log under .git/.gt and .git/.graphite*.
    const allowed = [...RUN_WRITES, /^files [+~-] \.git\/\.(graphite|gt\/)/];
    const stopped = (report: any) => {
      expect(report).toMatchObject({ outcome: 'graphite-failed', stoppedBy: 'align', pushed: [] });
      expect(report.stages.find((s: any) => s.name === 'align').status).toBe('failed');
    };

    // Offline, the real `gt sync` cannot reach Graphite: with "stop" the day ends there.
    config({ onSyncFailure: 'stop' });
    let before = snap(d);
    stopped((await expectRun(d, ['align'], 13, 'E_GRAPHITE_SYNC_FAILED')).report);
    expect(unexpectedChanges(before, snap(d), allowed)).toEqual([]);

    // A descendant checked out in another worktree: refused before any restack.
    config({});
    const wt = join(d.fixture.root, 'a2-worktree');
    git(c, 'worktree', 'add', '-q', wt, 'a2');
    before = snap(d);
    const busy = await expectRun(d, ['align'], 13, 'E_GRAPHITE_WORKTREE_BUSY');
    stopped(busy.report);
    expect(JSON.stringify(busy.report.errors)).toContain(wt);
    expect(git(wt, 'symbolic-ref', '--short', 'HEAD')).toBe('a2');
    expect(unexpectedChanges(before, snap(d), allowed)).toEqual([]);
    git(c, 'worktree', 'remove', wt);

    // a2 moved off a1 with plain git: Graphite still records a1 as its parent.
    git(c, 'rebase', '-q', '--onto', trunk, 'a1', 'a2');
    git(c, 'checkout', '-q', trunk);
    before = snap(d);
    const drift = await expectRun(d, ['align'], 13, 'E_GRAPHITE_PARENTAGE');
    stopped(drift.report);
    expect(JSON.stringify(drift.report.errors)).toContain('a2');
    expect(unexpectedChanges(before, snap(d), allowed)).toEqual([]);
  }, 240_000);
});

const LIB = 'src/lib.txt';
describe('resolve', () => {
  it('E_RESOLVE_WOULD_DROP: a resolution that empties the patch is refused (exit 18, an escalation gate); abort leaves the fork as it was', async () => {
    d = day({
      base: { 'README.md': 'upstream project\n', [LIB]: 'line 1\nline 2\nline 3\n' },
      patches: [{ files: { [LIB]: 'line 1\nline 2 fork\nline 3\n' }, message: 'fork: change line 2' }],
      upstreamCommits: [{ files: { [LIB]: 'line 1\nline 2 upstream\nline 3\n' }, message: 'upstream: change line 2' }],
    });
    expect((await cli(['daily', '--config', d.configPath])).code).toBe(10);
    const before = snap(d);
    const start = await cli(['resolve', 'start', '--config', d.configPath, '--json']);
    expect(start.code, start.stdout).toBe(0);
    const wt = start.json.data.worktree as string;
    // Taking upstream's side leaves the fork's patch empty.
    writeFileSync(join(wt, LIB), 'line 1\nline 2 upstream\nline 3\n');
    git(wt, 'add', '--', LIB);
    const cont = await cli(['resolve', 'continue', '--config', d.configPath, '--json']);
    expect(cont.code, cont.stdout).toBe(18);
    expect(cont.json).toMatchObject({ exitCode: 18, outcome: 'gate-held' });
    expect(codes(cont.json)).toEqual(['E_RESOLVE_WOULD_DROP']);
    expect(cont.json.errors[0].message).toMatch(/fork: change line 2.*escalation gate/);
    expect((await cli(['resolve', 'abort', '--config', d.configPath])).code).toBe(0);
    expect(existsSync(wt)).toBe(false);
    expect(unexpectedChanges(before, snap(d), [...RUN_WRITES, /^files [+~-] \.git\/(rr-cache|worktrees)/])).toEqual([]);
  }, 60_000);
});
