import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig, type ResolvedConfig } from '../config/config.js';
import { readProcStat } from '../process/holder.js';
import { acquireLock, lockDirFor } from '../lock/lock.js';
import { runPipeline } from './pipeline.js';
import { boundRunner, CommandLog } from '../process/process.js';
import { restoreRepo } from '../repo/repo-guard.js';
import type { RunState } from '../contracts/run-state.js';
import { createRunState } from './session.js';
import { saveState } from '../contracts/state-file.js';
import { rebaseIdentity } from '../process/git-basics.js';
import type { StageImpl } from '../contracts/stage.js';
import { commitFiles, createForkFixture, git, writeFixtureConfig, type ForkFixture } from '../testing/index.js';

// What a run finds after an earlier one was killed: its lock, git's lock files, leftovers it cannot
// remove. Real repositories, real processes.
let fixture: ForkFixture | undefined;
afterEach(() => fixture?.cleanup());

function setup(): ResolvedConfig {
  fixture = createForkFixture();
  const path = writeFixtureConfig(fixture);
  const r = parseConfig(JSON.parse(readFileSync(path, 'utf8')), path);
  if (!r.ok) throw new Error(r.errors.join());
  return r.config;
}
const ok: StageImpl = async () => ({ status: 'ok', summary: 'fine' });
const writeReport = () => ({ dir: 'memory' });

describe('a run after a killed run', () => {
  it('takes over the lock of a run whose process was killed, and records the takeover and a warning', async () => {
    const config = setup();
    const victim = spawn('sleep', ['60'], { stdio: 'ignore' });
    const pid = victim.pid!;
    acquireLock({ lockDir: lockDirFor(config.scratchPath), staleAfterHours: 6, forceStale: false, meta: { runId: 'killed-run', pid, ownerPid: pid, hostname: (await import('node:os')).hostname(), startedAt: new Date().toISOString(), command: 'daily', shas: {} } });
    victim.kill('SIGKILL');
    await new Promise((r) => victim.once('exit', r));
    expect(readProcStat(pid)).toBeNull();
    const state = await runPipeline(config, { command: 'daily', impls: { verify: ok, apply: ok }, writeReport });
    expect(state.exitCode).toBe(0);
    expect(state.lock).toMatchObject({ acquired: true, override: false, takenOver: { previous: { runId: 'killed-run', pid }, reason: `pid ${pid} is not running` } });
    expect(state.warnings).toContain(`took over the lock of run killed-run (daily, since ${(state.lock.takenOver!.previous as { startedAt: string }).startedAt}): its holder is dead — pid ${pid} is not running`);
    expect(existsSync(lockDirFor(config.scratchPath))).toBe(false);
  });

  it('a leftover it could not delete makes the run end as an error (exit 1, E_CLEANUP), not a plain success', async () => {
    const config = setup();
    // A crashed run recorded a temporary branch; since then someone checked it out in a worktree
    // outside the scratch folder: `git branch -D` refuses it, and the worktree is not the run's to remove.
    const crashed = createRunState(config, { command: 'daily', stages: ['verify'] }, '20260101T000000Z-1-old');
    crashed.temporaries = [{ kind: 'branch', path: 'rebase-daily/verify-old-run' }];
    saveState(crashed);
    git(config.repoPath, 'branch', 'rebase-daily/verify-old-run', fixture!.trunk);
    git(config.repoPath, 'worktree', 'add', '-q', join(fixture!.root, 'elsewhere'), 'rebase-daily/verify-old-run');
    const state = await runPipeline(config, { command: 'daily', impls: { verify: ok, apply: ok }, writeReport });
    expect(state.leftovers).toEqual([expect.stringMatching(/^could not delete temporary branch rebase-daily\/verify-old-run: .* \(left by run 20260101T000000Z-1-old\)$/)]);
    expect(state.outcome).toBe('error');
    expect(state.exitCode).toBe(1);
    expect(state.errors.map((e) => e.code)).toEqual(['E_CLEANUP']);
    expect(state.stages.map((s) => s.status).slice(0, 2)).toEqual(['ok', 'ok']); // the day's work was done
  });

  it('cleanup reports an abort that failed as a problem, never as done', async () => {
    const config = setup();
    const repo = config.repoPath;
    // A real rebase stopped on a conflict, then a stale index.lock (a git killed meanwhile).
    git(repo, 'checkout', '-q', '-b', 'side', fixture!.mirror);
    commitFiles(repo, { 'FORK.md': 'other\n' }, 'side: clash');
    try {
      git(repo, 'rebase', '-q', fixture!.trunk);
    } catch {
      // the conflict is the point
    }
    expect(existsSync(join(repo, '.git', 'rebase-merge'))).toBe(true);
    writeFileSync(join(repo, '.git', 'index.lock'), '');
    // The run recorded this rebase as its own (it started it), so cleanup must try to undo it.
    const id = rebaseIdentity(join(repo, '.git'))!;
    const state: RunState = createRunState(config, { command: 'daily', stages: ['verify'] }, 'r1');
    state.temporaries = [{ kind: 'operation', path: repo, op: 'rebase', origHead: id.origHead ?? undefined, onto: id.onto ?? undefined }];
    const r = await restoreRepo(boundRunner(new CommandLog()), config, state);
    expect(r.actions.filter((a) => a.startsWith('aborted'))).toEqual([]);
    const failed = [...r.problems, ...r.actions.filter((a) => /`git rebase --abort` failed/.test(a))];
    expect(failed).toEqual([expect.stringMatching(/could not abort the rebase this run started|quit the rebase this run started .*`git rebase --abort` failed/)]);
  });
});
