import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig, type ResolvedConfig } from '../config/config.js';
import { RebaseDailyError } from '../errors/errors.js';
import { runPaths } from '../config/paths.js';
import { runPipeline } from '../run/pipeline.js';
import { closestMatch, configBranchProblems, editDistance, scratchDirProblem } from './repo-checks.js';
import type { RunState } from '../contracts/run-state.js';
import { createRunState } from '../run/session.js';
import { loadState, saveState } from '../contracts/state-file.js';
import type { StageImpl } from '../contracts/stage.js';
import { commitFiles, createForkFixture, FETCHED, git, gitSucceeds, RUN_BOOKKEEPING, snapshotRepo, unexpectedChanges, writeFile, writeFixtureConfig, type ForkFixture } from '../testing/index.js';

/**
 * "Never harm what the run did not create" (issue 10): each case snapshots the repo and both bare
 * remotes before and after, and allows only what the case names.
 */
let fixture: ForkFixture;
afterEach(() => fixture?.cleanup());

function setup(extra: Record<string, unknown> = {}, repoOverride?: string): ResolvedConfig {
  fixture = createForkFixture();
  const path = writeFixtureConfig(fixture, extra);
  const r = parseConfig(JSON.parse(readFileSync(path, 'utf8')), path, repoOverride);
  if (!r.ok) throw new Error(r.errors.join());
  return r.config;
}

const snap = () => snapshotRepo({ repo: fixture.clone, remotes: [fixture.upstreamBare, fixture.originBare] });
const ok: StageImpl = async () => ({ status: 'ok', summary: 'fine' });
const writeReport = () => ({ dir: 'memory' });
const tryGit = gitSucceeds;

/** A real conflicting `git rebase` of a topic branch, stopped, with a hand-made resolution staged. */
function stopUserRebase(f: ForkFixture): void {
  git(f.clone, 'checkout', '-q', '-b', 'topic');
  commitFiles(f.clone, { 'README.md': 'topic version\n' }, 'topic: readme');
  git(f.clone, 'checkout', '-q', '-b', 'base', f.trunk);
  commitFiles(f.clone, { 'README.md': 'base version\n' }, 'base: readme');
  git(f.clone, 'checkout', '-q', 'topic');
  expect(tryGit(f.clone, 'rebase', 'base')).toBe(false);
  writeFile(f.clone, 'README.md', 'resolved by hand\n');
  git(f.clone, 'add', 'README.md');
}

/** Two branches that conflict in README.md, the trunk checked out; returns the other branch. */
function conflictingBranch(f: ForkFixture): string {
  git(f.clone, 'checkout', '-q', '-b', 'other', f.trunk);
  commitFiles(f.clone, { 'README.md': 'other version\n' }, 'other: readme');
  git(f.clone, 'checkout', '-q', f.trunk);
  commitFiles(f.clone, { 'README.md': 'trunk version\n' }, 'trunk: readme');
  return 'other';
}

const userOperations: [string, string, (f: ForkFixture) => void, RegExp][] = [
  ['rebase', 'git rebase', (f) => (conflictingBranch(f), tryGit(f.clone, 'rebase', 'other')), /git -C \S+ rebase --continue.*git -C \S+ rebase --abort/],
  ['merge', 'git merge', (f) => (conflictingBranch(f), tryGit(f.clone, 'merge', 'other')), /git -C \S+ commit.*git -C \S+ merge --abort/],
  ['cherry-pick', 'git cherry-pick', (f) => (conflictingBranch(f), tryGit(f.clone, 'cherry-pick', 'other')), /cherry-pick --continue.*cherry-pick --abort/],
  ['revert', 'git revert', (f) => (conflictingBranch(f), commitFiles(f.clone, { 'README.md': 'again\n' }, 'again'), tryGit(f.clone, 'revert', '--no-edit', 'HEAD~1')), /revert --continue.*revert --abort/],
  ['am', 'git am', (f) => {
    const other = conflictingBranch(f);
    const patch = git(f.clone, 'format-patch', '-1', '--stdout', other);
    writeFileSync(join(f.root, 'p.patch'), `${patch}\n`);
    tryGit(f.clone, 'am', join(f.root, 'p.patch'));
  }, /am --continue.*am --abort/],
  ['bisect', 'git bisect', (f) => (git(f.clone, 'bisect', 'start'), git(f.clone, 'bisect', 'bad', 'HEAD'), git(f.clone, 'bisect', 'good', f.mirror)), /bisect reset/],
];

describe('an operation the user started', () => {
  it.each(userOperations)('%s in progress (%s): refused, exit 1 E_OPERATION_IN_PROGRESS, nothing written', async (op, _how, start, commands) => {
    const config = setup();
    start(fixture);
    const before = snap();
    for (const command of ['daily', 'verify', 'apply']) {
      const err = await runPipeline(config, { command, impls: { verify: ok, apply: ok }, writeReport }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RebaseDailyError);
      expect(err).toMatchObject({ code: 'E_OPERATION_IN_PROGRESS', exitCode: 1, details: { operation: op } });
      expect((err as Error).message).toMatch(new RegExp(`a ${op} is in progress`));
      expect((err as Error).message).toMatch(commands);
      expect((err as Error).message.split('\n')).toHaveLength(1);
    }
    // Not even the scratch dir or the exclude line: the refusal comes before any write.
    expect(unexpectedChanges(before, snap())).toEqual([]);
    expect(existsSync(config.scratchPath)).toBe(false);
  });

  it('a stopped rebase with a hand-made resolution staged stays byte-identical under daily and verify', async () => {
    const config = setup();
    stopUserRebase(fixture);
    const index = readFileSync(join(fixture.clone, '.git', 'index'));
    const before = snap();
    for (const command of ['daily', 'verify']) {
      await expect(runPipeline(config, { command, impls: { verify: ok }, writeReport })).rejects.toMatchObject({ code: 'E_OPERATION_IN_PROGRESS', exitCode: 1 });
    }
    expect(unexpectedChanges(before, snap())).toEqual([]);
    expect(readFileSync(join(fixture.clone, '.git', 'index')).equals(index)).toBe(true);
    expect(git(fixture.clone, 'diff', '--cached', '--name-only')).toBe('README.md');
    expect(readFileSync(join(fixture.clone, 'README.md'), 'utf8')).toBe('resolved by hand\n');
    // And the user can still finish it.
    git(fixture.clone, '-c', 'core.editor=true', 'rebase', '--continue');
    expect(git(fixture.clone, 'show', 'HEAD:README.md')).toBe('resolved by hand');
  });
});

/** Write the state of a run that "crashed" with `temporaries` recorded. */
function crashedRun(config: ResolvedConfig, temporaries: RunState['temporaries'], runId = '20200101T000000Z-1-dead'): RunState {
  const state = { ...createRunState(config, { command: 'daily', stages: ['verify', 'apply', 'report'] }, runId), temporaries };
  mkdirSync(dirname(runPaths(config.scratchPath, runId).state), { recursive: true });
  saveState(state);
  return state;
}

describe('a run records what it starts, and cleanup undoes only that', () => {
  it('a crashed run\'s own recorded rebase is aborted by the next run, which then proceeds', async () => {
    const config = setup();
    const other = conflictingBranch(fixture);
    const origHead = git(fixture.clone, 'rev-parse', 'HEAD');
    const onto = git(fixture.clone, 'rev-parse', other);
    crashedRun(config, [{ kind: 'operation', path: fixture.clone, op: 'rebase', origHead, onto }]);
    expect(tryGit(fixture.clone, 'rebase', other)).toBe(false);
    git(fixture.clone, 'push', '-q', 'origin', fixture.trunk); // the trunk commit is not the point here
    const state = await runPipeline(config, { command: 'verify', impls: { verify: ok }, writeReport, fetch: false });
    expect(state.exitCode, JSON.stringify(state.errors)).toBe(0);
    expect(state.leftovers).toEqual([`aborted the rebase this run started in ${fixture.clone} (left by run 20200101T000000Z-1-dead)`]);
    expect(existsSync(join(fixture.clone, '.git', 'rebase-merge'))).toBe(false);
    expect(git(fixture.clone, 'rev-parse', 'HEAD')).toBe(origHead);
    expect(loadState(config.scratchPath, '20200101T000000Z-1-dead')?.temporaries).toEqual([]);
  });

  it('a rebase that does not match the crashed run\'s record (another start point) is the user\'s: refused, untouched', async () => {
    const config = setup();
    const other = conflictingBranch(fixture);
    crashedRun(config, [{ kind: 'operation', path: fixture.clone, op: 'rebase', origHead: git(fixture.clone, 'rev-parse', fixture.mirror), onto: git(fixture.clone, 'rev-parse', other) }]);
    expect(tryGit(fixture.clone, 'rebase', other)).toBe(false);
    const before = snap();
    await expect(runPipeline(config, { command: 'daily', impls: { verify: ok }, writeReport })).rejects.toMatchObject({ code: 'E_OPERATION_IN_PROGRESS' });
    expect(unexpectedChanges(before, snap())).toEqual([]);
  });

  it('leftover worktrees and branches: only those a crashed run recorded are removed, prefix look-alikes stay', async () => {
    const config = setup();
    const recordedWt = join(config.scratchPath, 'worktrees', 'verify-crashed');
    const strangerWt = join(config.scratchPath, 'worktrees', 'mine');
    crashedRun(config, [
      { kind: 'branch', path: 'rebase-daily/verify-crashed' },
      { kind: 'worktree', path: recordedWt },
      { kind: 'branch', path: 'rebase-daily/never-created' },
    ]);
    git(fixture.clone, 'worktree', 'add', '-q', '-b', 'rebase-daily/verify-crashed', recordedWt, fixture.trunk);
    git(fixture.clone, 'worktree', 'add', '-q', '-b', 'rebase-daily/mine', strangerWt, fixture.trunk);
    const before = snap();
    const state = await runPipeline(config, { command: 'verify', impls: { verify: ok }, writeReport, fetch: false });
    expect(state.exitCode, JSON.stringify(state.errors)).toBe(0);
    expect(state.leftovers.sort()).toEqual(
      [`removed temporary worktree ${recordedWt} (left by run 20200101T000000Z-1-dead)`, `deleted temporary branch rebase-daily/verify-crashed (left by run 20200101T000000Z-1-dead)`].sort(),
    );
    const changed = unexpectedChanges(before, snap(), RUN_BOOKKEEPING);
    expect(changed.filter((l) => !/verify-crashed/.test(l))).toEqual([]);
    expect(changed).toContain('refs - refs/heads/rebase-daily/verify-crashed');
    expect(git(fixture.clone, 'worktree', 'list')).toContain(strangerWt);
    expect(git(fixture.clone, 'branch', '--list', 'rebase-daily/mine')).toContain('rebase-daily/mine');
  });

  it('a rebase a stage starts is on disk in the run state before git starts it; the cleanup aborts it and says so truly', async () => {
    const config = setup();
    const other = conflictingBranch(fixture);
    git(fixture.clone, 'push', '-q', 'origin', fixture.trunk);
    let recordedWhileRunning: RunState['temporaries'] = [];
    const stage: StageImpl = async (ctx) => {
      const origHead = git(ctx.config.repoPath, 'rev-parse', 'HEAD');
      ctx.registerTemporary('operation', ctx.config.repoPath, { op: 'rebase', origHead, onto: git(ctx.config.repoPath, 'rev-parse', other) });
      recordedWhileRunning = loadState(ctx.config.scratchPath, ctx.state.runId)!.temporaries;
      tryGit(ctx.config.repoPath, 'rebase', other);
      return { status: 'failed', summary: 'stopped', outcome: 'apply-conflict' };
    };
    const before = snap();
    const state = await runPipeline(config, { command: 'apply', impls: { apply: stage }, writeReport, fetch: false });
    expect(recordedWhileRunning).toMatchObject([{ kind: 'operation', path: fixture.clone, op: 'rebase' }]);
    expect(state.exitCode).toBe(11);
    expect(state.warnings).toContain(`cleanup: aborted the rebase this run started in ${fixture.clone}`);
    expect(unexpectedChanges(before, snap(), [...RUN_BOOKKEEPING, /^files [+~] \.git\/(ORIG_HEAD|logs\/HEAD)$/])).toEqual([]);
  });

  it('a merge the run did not record (started under it) is never aborted; the report says so and the run is not a success', async () => {
    const config = setup();
    const other = conflictingBranch(fixture);
    git(fixture.clone, 'push', '-q', 'origin', fixture.trunk);
    const stage: StageImpl = async (ctx) => (tryGit(ctx.config.repoPath, 'merge', other), { status: 'ok', summary: 'fine' });
    const state = await runPipeline(config, { command: 'verify', impls: { verify: stage }, writeReport, fetch: false });
    expect(existsSync(join(fixture.clone, '.git', 'MERGE_HEAD'))).toBe(true);
    expect(state.exitCode).toBe(1);
    expect(state.warnings.join('\n')).not.toMatch(/aborted/);
    expect(state.errors.map((e) => e.message).join('\n')).toMatch(/a merge this run did not start is in progress .*left it alone/);
  });
});

describe('branches the config names', () => {
  it.each([
    ['mirror', { mirror: 'mian' }, /"mirror" names branch "mian", which does not exist locally or on origin; did you mean "main"\?/],
    ['trunk', { trunk: 'fork/trnuk' }, /"trunk" names branch "fork\/trnuk".*did you mean "fork\/trunk"\?/],
    ['upstreamBranch', { upstreamBranch: 'mainn' }, /"upstreamBranch" names branch "mainn", which does not exist on upstream; did you mean "main"\?/],
  ])('a typo in %s: exit 2 E_CONFIG naming the field, the existing branches and the closest; no branch created, nothing pushed', async (_field, extra, message) => {
    const config = setup(extra);
    const before = snap();
    const state = await runPipeline(config, { command: 'daily', impls: { verify: ok, apply: ok }, writeReport });
    expect(state.exitCode).toBe(2);
    expect(state.outcome).toBe('usage-error');
    expect(state.errors[0]).toMatchObject({ code: 'E_CONFIG' });
    expect(state.errors[0].message).toMatch(message);
    expect(state.errors[0].message).toMatch(/existing: /);
    expect(state.stages.find((s) => s.name === 'verify')?.status).toBe('skipped');
    expect(unexpectedChanges(before, snap(), [...RUN_BOOKKEEPING, ...FETCHED])).toEqual([]);
  });

  it.each([
    ['main', ['main', 'fork/trunk'], 'main'],
    ['mian', ['main', 'fork/trunk'], 'main'],
    ['trnk', ['main', 'trunk'], 'trunk'],
    ['x', [], null],
  ])('closestMatch(%s, %j) = %s', (name, candidates, expected) => {
    expect(closestMatch(name, candidates)).toBe(expected);
  });

  it.each([
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
    ['main', 'main', 0],
    ['mian', 'main', 2],
  ])('editDistance(%s, %s) = %i', (a, b, d) => expect(editDistance(a, b)).toBe(d));

  it('mirror that exists only on the fork remote is fine; nowhere is not', () => {
    const cfg = { trunk: 't', mirror: 'm', upstreamBranch: 'main', remotes: { fork: 'origin', upstream: 'upstream' } };
    expect(configBranchProblems(cfg, { local: ['t'], fork: ['m'], upstream: ['main'] })).toEqual([]);
    expect(configBranchProblems(cfg, { local: ['t'], fork: [], upstream: ['main'] }).map((e) => e.details.field)).toEqual(['mirror']);
  });
});

describe('nothing is written outside the repo unless asked', () => {
  it.each([
    ['does not exist', (f: ForkFixture) => join(f.root, 'nope'), /does not exist/],
    ['is a file', (f: ForkFixture) => join(f.clone, 'README.md'), /is a file, not a directory/],
    ['is not a git repository', (f: ForkFixture) => (mkdirSync(join(f.root, 'plain')), join(f.root, 'plain')), /is not a git repository/],
  ])('a repo path that %s: exit 2, nothing created', async (_what, path, message) => {
    setup();
    const repo = path(fixture);
    const before = snapshotRepo({ repo: fixture.root, beside: fixture.root });
    const r = parseConfig({ repo, trunk: fixture.trunk }, join(fixture.root, 'rebase-daily.json'));
    if (!r.ok) throw new Error(r.errors.join());
    const err = await runPipeline(r.config, { command: 'daily', impls: { verify: ok }, writeReport }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_REPO_PATH', exitCode: 2 });
    expect((err as Error).message).toMatch(message);
    expect(unexpectedChanges(before, snapshotRepo({ repo: fixture.root, beside: fixture.root }))).toEqual([]);
  });

  it.each([
    ['/', 'which is a system directory'],
    ['/etc', 'which is a system directory'],
    ['/usr/local/scratch', 'which is inside a system directory'],
    ['/var', 'which is a system directory'],
    ['/tmp', 'which is a system directory'],
    ['/work', 'which contains the repo /work/fork'],
    ['/work/fork', 'which is the repo itself'],
    ['/work/fork/.git', "which is inside the repo's git directory"],
    ['/work/fork/.git/scratch', "which is inside the repo's git directory"],
    ['/work/fork/.scratch', null],
    ['/work/fork/.github', null],
    ['/var/tmp/rebase-daily-scratch', null],
    ['/srv/scratch/rebase', null],
  ])('scratchDir %s → %s', (scratch, why) => {
    expect(scratchDirProblem(scratch, '/work/fork')).toBe(why);
  });

  it('"scratchDir": "/" is refused with exit 2 before anything is created', async () => {
    const config = setup({ scratchDir: '/' });
    const before = snap();
    await expect(runPipeline(config, { command: 'daily', impls: { verify: ok }, writeReport })).rejects.toMatchObject({ code: 'E_CONFIG', exitCode: 2, details: { field: 'scratchDir' } });
    expect(unexpectedChanges(before, snap())).toEqual([]);
    for (const d of ['locks', 'rebase-daily', 'cargo-target']) expect(existsSync(join('/', d))).toBe(false);
  });
});
