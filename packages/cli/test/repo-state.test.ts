import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRunState, loadConfig, saveState } from '@rebase-daily/core';
import { commitFiles, FETCHED, git, gitSucceeds, makeTempDir, RUN_BOOKKEEPING, snapshotRepo, unexpectedChanges, writeFile } from '@rebase-daily/core/testing';
import { cli, day, spawnCli, type Day } from './helpers.js';

// Issue 10 through the CLI, on real forks: each case snapshots the clone and both bare remotes
// (refs, status, worktrees, every file, what lies beside the clone) and allows only what it names.
let d: Day | undefined;
afterEach(() => d?.fixture.cleanup());
beforeAll(() => {
  process.env.HOME = makeTempDir('rebase-daily-home-');
});

const snap = (dd: Day) => snapshotRepo({ repo: dd.fixture.clone, remotes: [dd.fixture.upstreamBare, dd.fixture.originBare] });
const check = (json: any, name: string) => json.data.checks.find((c: any) => c.name === name);
const tryGit = gitSucceeds;

/** A real conflicting `git rebase` of a topic branch, stopped, with a hand-made resolution staged. */
function stopUserRebase(dd: Day): void {
  const c = dd.fixture.clone;
  git(c, 'checkout', '-q', '-b', 'topic');
  commitFiles(c, { 'README.md': 'topic version\n' }, 'topic: readme');
  git(c, 'checkout', '-q', '-b', 'base', dd.fixture.trunk);
  commitFiles(c, { 'README.md': 'base version\n' }, 'base: readme');
  git(c, 'checkout', '-q', 'topic');
  expect(tryGit(c, 'rebase', 'base')).toBe(false);
  writeFile(c, 'README.md', 'resolved by hand\n');
  git(c, 'add', 'README.md');
}

describe('an operation the user started is never aborted', () => {
  it('daily and verify leave a stopped rebase with a staged hand resolution byte-identical: exit 1 E_OPERATION_IN_PROGRESS; doctor fails it with the commands', async () => {
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] });
    stopUserRebase(d);
    const index = readFileSync(join(d.fixture.clone, '.git', 'index'));
    const before = snap(d);
    for (const command of ['daily', 'verify']) {
      const r = await cli([command, '--config', d.configPath, '--json']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.json.errors[0].code).toBe('E_OPERATION_IN_PROGRESS');
      expect(r.json.errors[0].message).toMatch(/a rebase is in progress in .* rebase-daily did not start it.*rebase --continue.*rebase --abort/);
    }
    expect(unexpectedChanges(before, snap(d))).toEqual([]);
    expect(readFileSync(join(d.fixture.clone, '.git', 'index')).equals(index)).toBe(true);
    const doc = await cli(['doctor', '--config', d.configPath, '--json']);
    expect(check(doc.json, 'repo')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/rebase --continue.*rebase --abort/) });
    expect(unexpectedChanges(before, snap(d))).toEqual([]);
  });

  it('doctor does not send the operator to `git rebase --abort` for a rebase a crashed run recorded (the next run aborts it), and the next run does', async () => {
    d = day();
    const c = d.fixture.clone;
    git(c, 'checkout', '-q', '-b', 'other', d.fixture.trunk);
    commitFiles(c, { 'README.md': 'other\n' }, 'other');
    git(c, 'checkout', '-q', d.fixture.trunk);
    const origHead = commitFiles(c, { 'README.md': 'trunk\n' }, 'trunk: readme');
    git(c, 'push', '-q', 'origin', d.fixture.trunk);
    const loaded = loadConfig({ configPath: d.configPath, cwd: d.fixture.root, env: {} });
    if (!loaded.ok) throw new Error(loaded.errors.join());
    const state = { ...createRunState(loaded.config, { command: 'daily', stages: ['verify', 'apply', 'report'] }, '20200101T000000Z-1-dead'), temporaries: [{ kind: 'operation' as const, path: c, op: 'rebase' as const, origHead, onto: git(c, 'rev-parse', 'other') }] };
    mkdirSync(join(c, '.scratch', 'rebase-daily', 'runs', state.runId), { recursive: true });
    saveState(state);
    expect(tryGit(c, 'rebase', 'other')).toBe(false);
    const doc = await cli(['doctor', '--config', d.configPath, '--json']);
    expect(JSON.stringify(doc.json.data.checks)).not.toMatch(/rebase --abort/);
    expect(check(doc.json, 'repo')).toMatchObject({ status: 'warn', details: { recordedBy: state.runId } });
    expect(check(doc.json, 'repo').message).toMatch(/the next run aborts it/);
    const next = await cli(['verify', '--config', d.configPath, '--json']);
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(readFileSync(next.json.data.reportPath, 'utf8')).leftovers).toEqual([`aborted the rebase this run started in ${c} (left by run ${state.runId})`]);
    expect(git(c, 'status', '--porcelain')).toBe('');
    expect(git(c, 'rev-parse', 'HEAD')).toBe(origHead);
  });
});

describe('the tool never creates a branch the config names', () => {
  it('"mirror": "mian": exit 2 E_CONFIG naming the field, the branches and "main"; mian created nowhere, nothing pushed', async () => {
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] }, { mirror: 'mian' });
    const before = snap(d);
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.json.outcome).toBe('usage-error');
    expect(r.json.errors[0].code).toBe('E_CONFIG');
    expect(r.json.errors[0].message).toMatch(/"mirror" names branch "mian", which does not exist locally or on origin; did you mean "main"\? \(existing: fork\/trunk, main\)/);
    expect(unexpectedChanges(before, snap(d), [...RUN_BOOKKEEPING, ...FETCHED])).toEqual([]);
    const doc = await cli(['doctor', '--config', d.configPath, '--json']);
    expect(check(doc.json, 'config branches')).toMatchObject({ status: 'fail', details: { field: 'mirror', closest: 'main' } });
  });
});

describe('nothing is written outside the repo unless asked', () => {
  it.each([
    ['a file (README.md)', (dd: Day) => join(dd.fixture.clone, 'README.md'), /is a file, not a directory/],
    ['missing', (dd: Day) => join(dd.fixture.root, 'nope'), /does not exist/],
    ['not a repository', (dd: Day) => (mkdirSync(join(dd.fixture.root, 'plain')), join(dd.fixture.root, 'plain')), /is not a git repository/],
    ['inside the work tree', (dd: Day) => join(dd.fixture.clone, 'src'), /is inside the work tree of/],
  ])('--repo %s: exit 2 naming it, no directory and no report created', async (_what, repo, message) => {
    d = day();
    const path = repo(d);
    const before = snapshotRepo({ repo: d.fixture.root, beside: d.fixture.root });
    for (const command of ['daily', 'verify', 'lock']) {
      const r = await cli([command, '--config', d.configPath, '--repo', path, '--json']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.json.errors[0].code).not.toBe('E_INTERNAL');
      expect(r.json.errors[0].message).toMatch(message);
    }
    expect(unexpectedChanges(before, snapshotRepo({ repo: d.fixture.root, beside: d.fixture.root }))).toEqual([]);
    const doc = await cli(['doctor', '--config', d.configPath, '--repo', path, '--json']);
    expect(check(doc.json, 'repo')).toMatchObject({ status: 'fail', message: expect.stringMatching(message) });
  });

  it('"scratchDir": "/": exit 2 E_CONFIG, nothing created in / or the repo; doctor fails it', async () => {
    d = day({}, { scratchDir: '/' });
    const before = snap(d);
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.json.errors[0]).toMatchObject({ code: 'E_CONFIG', details: { field: 'scratchDir' } });
    for (const name of ['locks', 'rebase-daily', 'cargo-target']) expect(existsSync(join('/', name))).toBe(false);
    expect(unexpectedChanges(before, snap(d))).toEqual([]);
    const doc = await cli(['doctor', '--config', d.configPath, '--json']);
    expect(check(doc.json, 'scratch')).toMatchObject({ status: 'fail', message: expect.stringMatching(/system directory/) });
  });
});

describe('after a crash', () => {
  it('status names the killed run instead of "none recorded"; the next run cleans up and finishes', async () => {
    // The worktree engine checks out a temporary worktree in verify: the hook marks "verify running".
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] }, { engine: 'worktree' });
    const marker = join(d.fixture.root, 'verify.started');
    writeFile(d.fixture.clone, '.git/hooks/post-checkout', `#!/bin/sh\n[ -e "${marker}" ] || { touch "${marker}"; sleep 30; }\n`);
    chmodSync(join(d.fixture.clone, '.git', 'hooks', 'post-checkout'), 0o755);
    const run = spawnCli(['daily', '--config', d.configPath]);
    const end = Date.now() + 30_000;
    while (!existsSync(marker) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    run.child.kill('SIGKILL');
    await run.done;
    const status = await cli(['status', '--config', d.configPath, '--json']);
    expect(status.stdout).not.toMatch(/none recorded/);
    expect(status.json.data.unfinished).toMatchObject({ command: 'daily', running: false, stage: 'verify' });
    const human = await cli(['status', '--config', d.configPath]);
    expect(human.stdout).toMatch(/^last run: \S+ \(daily, started .*\) did not finish — crashed or killed during verify; the next run cleans up what it recorded/m);
    // Taking over a dead holder's lock is issue 10's item 5.1 (another change); here it is removed as the message says.
    rmSync(join(d.fixture.clone, '.scratch', 'locks', 'rebase-daily.lock'), { recursive: true, force: true });
    const next = await cli(['daily', '--config', d.configPath, '--json']);
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(readFileSync(next.json.data.reportPath, 'utf8')).leftovers.join('\n')).toMatch(/removed temporary worktree .*verify-.*\n?.*deleted temporary branch rebase-daily\/verify-/s);
    expect(git(d.fixture.clone, 'worktree', 'list')).not.toMatch(/\.scratch/);
    expect(git(d.fixture.clone, 'branch', '--list', 'rebase-daily/*')).toBe('');
  }, 90_000);

  it("a first run killed before its exclude line leaves .scratch/ untracked: doctor does not fail the repo for the tool's own files", async () => {
    d = day();
    mkdirSync(join(d.fixture.clone, '.scratch', 'rebase-daily', 'runs', 'x'), { recursive: true });
    writeFile(d.fixture.clone, '.scratch/rebase-daily/runs/x/commands.jsonl', '');
    expect(git(d.fixture.clone, 'status', '--porcelain', '--untracked-files=all')).toContain('.scratch/');
    const doc = await cli(['doctor', '--config', d.configPath, '--json']);
    expect(check(doc.json, 'repo')).toMatchObject({ status: 'ok', message: expect.stringMatching(/the scratch dir \.scratch\/ is not excluded yet/) });
    // And a user's own untracked file is still a failure.
    writeFile(d.fixture.clone, 'mine.txt', 'x\n');
    const dirty = await cli(['doctor', '--config', d.configPath, '--json']);
    expect(check(dirty.json, 'repo')).toMatchObject({ status: 'fail', details: { files: ['mine.txt'] } });
  });
});
