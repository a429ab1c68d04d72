import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig, type ResolvedConfig } from '../config/config.js';
import { findGitLockFiles, recoverGitLocks, unfinishedCommands } from './git-locks.js';
import { readProcStat } from '../process/holder.js';
import { runPaths } from '../config/paths.js';
import { boundRunner, CommandLog } from '../process/process.js';
import { createRunState } from '../run/session.js';
import { saveState } from '../contracts/state-file.js';
import { createForkFixture, git, writeFixtureConfig, type ForkFixture } from '../testing/index.js';

let fixture: ForkFixture | undefined;
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.pid) try { process.kill(-c.pid, 'SIGKILL'); } catch { /* gone */ }
  fixture?.cleanup();
});

function setup(): ResolvedConfig {
  fixture = createForkFixture();
  const path = writeFixtureConfig(fixture);
  const r = parseConfig(JSON.parse(readFileSync(path, 'utf8')), path);
  if (!r.ok) throw new Error(r.errors.join());
  return r.config;
}

const waitFor = async (cond: () => boolean, what: string) => {
  const end = Date.now() + 20_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/**
 * A run of this tool that died for real: its state says it took the lock and never finished, its
 * pid is a process that was killed, and its command log has the start line of a `git commit` that
 * was SIGKILLed while its pre-commit hook ran — holding the real `.git/index.lock` it leaves behind
 * (`commit -a` keeps the index locked while the hook runs).
 */
async function deadRunLeavingIndexLock(config: ResolvedConfig, runId = '20260301T080000Z-1-dead'): Promise<string> {
  const repo = config.repoPath;
  const marker = join(fixture!.root, 'pre-commit.started');
  writeFileSync(join(repo, '.git', 'hooks', 'pre-commit'), `#!/bin/sh\ntouch "${marker}"\nsleep 60\n`);
  chmodSync(join(repo, '.git', 'hooks', 'pre-commit'), 0o755);
  const state = createRunState(config, { command: 'daily', stages: ['verify', 'apply', 'report'] }, runId);
  const paths = runPaths(config.scratchPath, runId);
  mkdirSync(paths.runDir, { recursive: true });
  state.lock.acquired = true;
  state.commandLog = paths.commandLog;
  const log = new CommandLog(paths.commandLog);
  log.start('git', ['commit', '-a', '--allow-empty', '-m', 'x'], repo);
  const gitCommit = spawn('git', ['commit', '-a', '--allow-empty', '-m', 'x'], { cwd: repo, detached: true, stdio: 'ignore' });
  children.push(gitCommit);
  state.pid = gitCommit.pid!; // the run's process: dies with its git below
  saveState(state);
  await waitFor(() => existsSync(marker), 'the pre-commit hook');
  process.kill(-gitCommit.pid!, 'SIGKILL');
  await waitFor(() => readProcStat(gitCommit.pid!) === null || readProcStat(gitCommit.pid!)?.state === 'Z', 'git to die');
  const lock = join(repo, '.git', 'index.lock');
  expect(existsSync(lock)).toBe(true);
  return lock;
}

describe('unfinishedCommands', () => {
  const start = (id: string, argv: string[]) => JSON.stringify({ id, at: '2026-03-01T08:00:00.000Z', event: 'start', argv, cwd: '/r' });
  const end = (id: string) => JSON.stringify({ id, at: '2026-03-01T08:00:01.000Z', argv: ['git'], cwd: '/r', exitCode: 0, durationMs: 1, timedOut: false });
  it.each([
    ['every start ended', [start('1', ['git', 'fetch']), end('1')], []],
    ['a push killed in flight', [start('1', ['git', 'fetch']), end('1'), start('2', ['git', 'push', 'origin'])], [['git', 'push', 'origin']]],
    ['a torn last line', [start('1', ['git', 'rebase']), '{"id":"1","at":"2026-03-01T08:0'], [['git', 'rebase']]],
    ['entries of an older log without ids', ['{"at":"x","argv":["git"],"cwd":"/r","exitCode":0}'], []],
  ])('%s', (_name, lines, expected) => {
    expect(unfinishedCommands(lines.join('\n'), 'run-1').map((c) => c.argv)).toEqual(expected);
  });
});

describe('recoverGitLocks', () => {
  it('finds git lock files anywhere under the git dir but the object store', () => {
    const config = setup();
    const gitDir = join(config.repoPath, '.git');
    for (const f of ['index.lock', 'packed-refs.lock', 'refs/heads/fork/trunk.lock']) writeFileSync(join(gitDir, f), '');
    mkdirSync(join(gitDir, 'objects', 'info'), { recursive: true });
    writeFileSync(join(gitDir, 'objects', 'info', 'x.lock'), '');
    expect(findGitLockFiles(gitDir)).toEqual(['index.lock', 'packed-refs.lock', 'refs/heads/fork/trunk.lock'].map((f) => join(gitDir, f)));
  });

  it('removes the index.lock a killed run\'s git left, and records it', async () => {
    const config = setup();
    const lock = await deadRunLeavingIndexLock(config);
    const r = await recoverGitLocks(boundRunner(new CommandLog()), config, 'now');
    expect(r.refusal).toBeNull();
    expect(existsSync(lock)).toBe(false);
    expect(r.recovered).toEqual([`git lock file ${lock} left by \`git commit -a --allow-empty -m x\` of run 20260301T080000Z-1-dead, killed with it (removed)`]);
    expect(r.inFlight).toEqual([expect.stringMatching(/^run 20260301T080000Z-1-dead was killed during `git commit -a --allow-empty -m x` \(started .*, no recorded end\)$/)]);
    expect(git(config.repoPath, 'status', '--porcelain', '--untracked-files=no')).toBe(''); // git works again
  });

  it('refuses, naming the file and the fix, a lock file older than the dead run\'s git command', async () => {
    const config = setup();
    const lock = await deadRunLeavingIndexLock(config);
    const old = new Date(Date.now() - 3600_000);
    utimesSync(lock, old, old);
    const r = await recoverGitLocks(boundRunner(new CommandLog()), config, 'now');
    expect(existsSync(lock)).toBe(true);
    expect(r.refusal?.code).toBe('E_GIT_LOCK');
    expect(r.refusal?.message).toBe(`git lock file ${lock} blocks git; it was not left by a run of rebase-daily (no killed run of this tool had a git command in this repo then); check that no git runs in ${config.repoPath}, then \`rm ${lock}\` and rerun`);
  });

  it('refuses a lock file when no run of this tool died (the user\'s own git crashed)', async () => {
    const config = setup();
    const lock = join(config.repoPath, '.git', 'packed-refs.lock');
    writeFileSync(lock, '');
    const r = await recoverGitLocks(boundRunner(new CommandLog()), config, 'now');
    expect(existsSync(lock)).toBe(true);
    expect(r.refusal?.message).toMatch(/^git lock file .*packed-refs\.lock blocks git; it was not left by a run of rebase-daily/);
  });

  it('leaves even a dead run\'s lock file alone while a git process runs in the repo, and names it', async () => {
    const config = setup();
    const lock = await deadRunLeavingIndexLock(config);
    const busy = spawn('git', ['cat-file', '--batch'], { cwd: config.repoPath, detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(busy);
    await waitFor(() => readProcStat(busy.pid!) !== null, 'git cat-file to start');
    const r = await recoverGitLocks(boundRunner(new CommandLog()), config, 'now');
    expect(existsSync(lock)).toBe(true);
    expect(r.refusal?.message).toContain(`git process ${busy.pid} (\`git cat-file --batch\`) is running in ${config.repoPath}: wait for it to end, then rerun`);
  });

  it('a run that finished after the dead one makes its commands nobody\'s: the lock is refused', async () => {
    const config = setup();
    const lock = await deadRunLeavingIndexLock(config, '20260301T080000Z-1-dead');
    const later = createRunState(config, { command: 'daily', stages: ['verify'] }, '20260301T090000Z-2-done');
    later.finishedAt = new Date().toISOString();
    mkdirSync(runPaths(config.scratchPath, later.runId).runDir, { recursive: true });
    saveState(later);
    const r = await recoverGitLocks(boundRunner(new CommandLog()), config, 'now');
    expect(existsSync(lock)).toBe(true);
    expect(r.refusal?.code).toBe('E_GIT_LOCK');
  });
});
