import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig, type ResolvedConfig } from '../config/config.js';
import { acquireLock, lockDirFor } from '../lock/lock.js';
import { runPaths } from '../config/paths.js';
import { DAILY_STAGES, runPipeline, stagesFor } from './pipeline.js';
import type { RunState } from '../contracts/run-state.js';
import type { Progress, StageImpl } from '../contracts/stage.js';
import { createForkFixture, git, writeFixtureConfig, type ForkFixture } from '../testing/index.js';

let fixture: ForkFixture;
afterEach(() => fixture?.cleanup());

function setup(): ResolvedConfig {
  fixture = createForkFixture();
  const path = writeFixtureConfig(fixture);
  const r = parseConfig(JSON.parse(readFileSync(path, 'utf8')), path);
  if (!r.ok) throw new Error(r.errors.join());
  return r.config;
}

const ok: StageImpl = async () => ({ status: 'ok', summary: 'fine' });
const captured: RunState[] = [];
const writeReport = (s: RunState) => {
  captured.push(structuredClone(s));
  return { dir: 'memory' };
};

const statuses = (s: RunState) => Object.fromEntries(s.stages.map((x) => [x.name, x.status]));

describe('runPipeline', () => {
  it('runs every stage in order and reports no-change when nothing moved', async () => {
    const config = setup();
    const order: string[] = [];
    const mk = (n: string): StageImpl => async () => (order.push(n), { status: 'ok', summary: n });
    const state = await runPipeline(config, { command: 'daily', impls: { verify: mk('verify'), apply: mk('apply'), align: mk('align'), validate: mk('validate'), publish: mk('publish') }, writeReport });
    expect(order).toEqual(['verify', 'apply', 'align', 'validate', 'publish']);
    expect(state.outcome).toBe('no-change');
    expect(state.exitCode).toBe(0);
    expect(statuses(state)).toEqual({ verify: 'ok', apply: 'ok', align: 'ok', validate: 'ok', publish: 'ok', report: 'ok' });
    expect(state.shas.before.trunk).toBe(git(fixture.clone, 'rev-parse', fixture.trunk));
    expect(state.shas.before.forkTrunk).toBe(state.shas.before.trunk);
    expect(existsSync(lockDirFor(config.scratchPath))).toBe(false);
    expect(git(fixture.clone, 'status', '--porcelain')).toBe('');
  });

  it('after a stage stops the run, later stages are skipped and the report still runs', async () => {
    const config = setup();
    const verify: StageImpl = async () => ({ status: 'failed', summary: 'conflict', outcome: 'verify-conflict' });
    let applied = false;
    const state = await runPipeline(config, { command: 'daily', impls: { verify, apply: async () => ((applied = true), { status: 'ok', summary: '' }), align: ok, validate: ok }, writeReport });
    expect(applied).toBe(false);
    expect(state.exitCode).toBe(10);
    expect(state.outcome).toBe('verify-conflict');
    expect(state.stoppedBy).toBe('verify');
    expect(statuses(state)).toEqual({ verify: 'failed', apply: 'skipped', align: 'skipped', validate: 'skipped', publish: 'skipped', report: 'ok' });
    expect(state.stages[1].summary).toBe('skipped: the run stopped at verify');
  });

  it('a thrown error becomes outcome error (exit 1) with its code', async () => {
    const config = setup();
    const state = await runPipeline(config, { command: 'verify', impls: { verify: async () => { throw new Error('boom'); } }, writeReport });
    expect(state.exitCode).toBe(1);
    expect(state.errors[0]).toMatchObject({ code: 'E_INTERNAL', message: 'boom' });
  });

  it('refuses with exit 15 when the lock is held, records the holder, and runs nothing', async () => {
    const config = setup();
    acquireLock({ lockDir: lockDirFor(config.scratchPath), staleAfterHours: 6, forceStale: false, meta: { runId: 'other', pid: process.pid, ownerPid: process.pid, hostname: 'elsewhere', startedAt: new Date().toISOString(), command: 'daily', shas: {} } });
    let ran = false;
    const state = await runPipeline(config, { command: 'daily', impls: { verify: async () => ((ran = true), { status: 'ok', summary: '' }) }, writeReport, env: { FORCE_STALE_LOCK: '1' } });
    expect(ran).toBe(false);
    expect(state.exitCode).toBe(15);
    expect(state.outcome).toBe('lock-taken');
    expect(state.lock).toMatchObject({ acquired: false, override: false });
    expect(state.lock.holder?.runId).toBe('other');
    expect(existsSync(lockDirFor(config.scratchPath))).toBe(true);
  });

  it('a stale lock is overridden only with FORCE_STALE_LOCK=1, and the override is recorded', async () => {
    const config = setup();
    const old = new Date(Date.now() - 8 * 3600_000).toISOString();
    acquireLock({ lockDir: lockDirFor(config.scratchPath), staleAfterHours: 6, forceStale: false, meta: { runId: 'crashed', pid: 999_999, ownerPid: 999_999, hostname: 'h', startedAt: old, command: 'daily', shas: {} } });
    const refused = await runPipeline(config, { command: 'verify', impls: { verify: ok }, writeReport, env: {} });
    expect(refused.exitCode).toBe(15);
    expect(refused.errors[0].message).toMatch(/stale .*FORCE_STALE_LOCK=1/);
    const forced = await runPipeline(config, { command: 'verify', impls: { verify: ok }, writeReport, env: { FORCE_STALE_LOCK: '1' } });
    expect(forced.exitCode).toBe(0);
    expect(forced.lock.override).toBe(true);
    expect(forced.lock.holder?.runId).toBe('crashed');
    expect(forced.warnings.join()).toMatch(/FORCE_STALE_LOCK=1 broke a stale lock/);
  });

  it('refuses a dirty tree with a one-line error and leaves it exactly as it was', async () => {
    const config = setup();
    writeFileSync(join(fixture.clone, 'FORK.md'), 'edited\n');
    writeFileSync(join(fixture.clone, 'untracked.txt'), 'u\n');
    let ran = false;
    const state = await runPipeline(config, { command: 'daily', impls: { verify: async () => ((ran = true), { status: 'ok', summary: '' }) }, writeReport });
    expect(ran).toBe(false);
    expect(state.exitCode).toBe(1);
    expect(state.errors[0].code).toBe('E_DIRTY_TREE');
    expect(state.errors[0].message).toMatch(/uncommitted changes in FORK\.md, untracked\.txt; commit or stash them, then rerun/);
    expect(readFileSync(join(fixture.clone, 'FORK.md'), 'utf8')).toBe('edited\n');
    expect(git(fixture.clone, 'status', '--porcelain')).toContain('untracked.txt');
    expect(existsSync(lockDirFor(config.scratchPath))).toBe(false);
  });

  it.each([
    ['a missing remote', 'E_REMOTE_MISSING', (f: ForkFixture) => git(f.clone, 'remote', 'remove', 'upstream'), /git remote "upstream" does not exist/],
    // Still on the fork remote, so it is no config typo: the local branch is the user's to create.
    ['a missing local trunk', 'E_BRANCH_MISSING', (f: ForkFixture) => (git(f.clone, 'checkout', '-q', f.mirror), git(f.clone, 'branch', '-D', f.trunk)), /branch "fork\/trunk" does not exist locally/],
    ['an unreachable upstream remote (its URL a path that does not exist)', 'E_FETCH_FAILED', (f: ForkFixture) => git(f.clone, 'remote', 'set-url', 'upstream', join(f.root, 'gone.git')), /^git fetch upstream failed: .*; check the remote URL and credentials$/],
  ] as const)('refuses %s with %s: one line naming the fix, before any stage, no ref moved', async (_name, code, breakIt, message) => {
    const config = setup();
    breakIt(fixture);
    const refsBefore = git(fixture.clone, 'for-each-ref', '--format=%(refname) %(objectname)');
    let verified = false;
    const state = await runPipeline(config, { command: 'daily', impls: { verify: async () => ((verified = true), { status: 'ok', summary: '' }) }, writeReport });
    expect(state.exitCode).toBe(1);
    expect(state.errors.map((e) => e.code)).toEqual([code]);
    expect(state.errors[0].message).toMatch(message);
    expect(state.errors[0].message.split('\n')).toHaveLength(1);
    expect(verified).toBe(false);
    expect(git(fixture.clone, 'for-each-ref', '--format=%(refname) %(objectname)')).toBe(refsBefore);
  });

  it('cleans up after a stage that leaves a mess: rebase aborted, temporaries removed, start branch and clean tree restored', async () => {
    const config = setup();
    const messy: StageImpl = async (ctx) => {
      const wt = join(ctx.config.scratchPath, 'worktrees', `verify-${ctx.state.runId}`);
      git(ctx.config.repoPath, 'worktree', 'add', '-q', '-b', `rebase-daily/verify-${ctx.state.runId}`, wt, ctx.config.trunk);
      ctx.registerTemporary('worktree', wt);
      ctx.registerTemporary('branch', `rebase-daily/verify-${ctx.state.runId}`);
      git(ctx.config.repoPath, 'checkout', '-q', ctx.config.mirror);
      writeFileSync(join(ctx.config.repoPath, 'stray.txt'), 'x');
      return { status: 'failed', summary: 'left a mess', outcome: 'apply-conflict' };
    };
    const state = await runPipeline(config, { command: 'apply', impls: { apply: messy }, writeReport });
    expect(state.exitCode).toBe(11);
    expect(git(fixture.clone, 'symbolic-ref', '--short', 'HEAD')).toBe(fixture.trunk);
    expect(git(fixture.clone, 'status', '--porcelain')).toBe('');
    expect(git(fixture.clone, 'worktree', 'list')).not.toContain('verify-');
    expect(git(fixture.clone, 'branch', '--list', 'rebase-daily/*')).toBe('');
  });

  // Leftovers of crashed runs (only what their run state recorded): repo-state.test.ts.

  // A signal sent to our own pid reaches process.on('SIGTERM') only in a main thread; the test
  // target runs files in forks (main threads), StrykerJS in worker threads, where it would kill the runner.
  it.skipIf(!isMainThread)('an interrupt kills the running command, cleans up, releases the lock, ends as interrupted (143 for SIGTERM) and says to rerun', async () => {
    const config = setup();
    let slept: { exitCode: number } | undefined;
    const slow: StageImpl = async (ctx) => {
      git(ctx.config.repoPath, 'checkout', '-q', ctx.config.mirror);
      setTimeout(() => process.kill(process.pid, 'SIGTERM'), 300);
      const r = await ctx.run('sleep', ['30'], { cwd: ctx.config.repoPath });
      slept = r;
      return r.exitCode === 0 ? { status: 'ok', summary: 'slept' } : { status: 'failed', summary: `sleep ended ${r.exitCode}`, outcome: 'error' };
    };
    const state = await runPipeline(config, { command: 'daily', impls: { verify: slow, apply: ok }, writeReport, handleSignals: true });
    // The 30 s sleep was cancelled by the run's abort (the seam's 130), not run to its end.
    expect(slept?.exitCode).toBe(130);
    expect(state.exitCode).toBe(143);
    expect(state.outcome).toBe('interrupted');
    expect(state.errors.map((e) => e.code)).toContain('E_INTERRUPTED');
    expect(state.nextActions.join('\n')).toMatch(/interrupted by SIGTERM .*Rerun rebase-daily when ready/);
    expect(statuses(state).apply).toBe('skipped');
    expect(git(fixture.clone, 'symbolic-ref', '--short', 'HEAD')).toBe(fixture.trunk);
    expect(existsSync(lockDirFor(config.scratchPath))).toBe(false);
  });

  it('keeps a command log of every call and a state file per run, and the scratch dir never dirties the tree', async () => {
    const config = setup();
    const state = await runPipeline(config, { command: 'verify', impls: { verify: ok }, writeReport });
    const log = readFileSync(runPaths(config.scratchPath, state.runId).commandLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.some((e) => e.argv.join(' ').startsWith('git fetch --prune --quiet --no-write-fetch-head upstream'))).toBe(true);
    expect(existsSync(runPaths(config.scratchPath, state.runId).state)).toBe(true);
    expect(git(fixture.clone, 'status', '--porcelain')).toBe('');
  });
});

describe('recoverUnfinishedRun', () => {
  it('finishes a run whose finishing Nx task never ran: cleanup, report, unlock, exit 1', async () => {
    const { beginRun, runStage, recoverUnfinishedRun } = await import('./session.js');
    const config = setup();
    const session = await beginRun(config, { command: 'nx:verify', stages: ['verify', 'apply', 'report'], ownerPid: 999_999 });
    await runStage(session, 'verify', async (ctx) => {
      git(ctx.config.repoPath, 'checkout', '-q', ctx.config.mirror);
      return { status: 'ok', summary: 'verified' };
    });
    expect(existsSync(lockDirFor(config.scratchPath))).toBe(true);
    // The recovery writes its report through the writer its caller hands in (core has none).
    const fileWriter = (s: RunState) => {
      const dir = join(config.scratchPath, 'recovered-report');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'report.json'), JSON.stringify({ runId: s.runId, outcome: s.outcome }));
      return { dir };
    };
    const state = await recoverUnfinishedRun(config, session.state.runId, 'nx exited 1 before the run finished', fileWriter);
    expect(state?.exitCode).toBe(1);
    expect(state?.errors.map((e) => e.code)).toContain('E_RUN_UNFINISHED');
    expect(state?.stages.map((s) => s.status)).toEqual(['ok', 'skipped', 'skipped', 'skipped', 'skipped', 'ok']);
    expect(existsSync(lockDirFor(config.scratchPath))).toBe(false);
    expect(git(fixture.clone, 'symbolic-ref', '--short', 'HEAD')).toBe(fixture.trunk);
    expect(state?.reportDir && existsSync(join(state.reportDir, 'report.json'))).toBe(true);
    // A finished run is left alone.
    expect((await recoverUnfinishedRun(config, session.state.runId, 'again', fileWriter))?.finishedAt).toBe(state?.finishedAt);
  });
});

describe('the pipeline definition', () => {
  it.each([
    ['daily', ['verify', 'apply', 'align', 'validate', 'publish', 'report']],
    ['verify', ['verify', 'report']],
    ['apply', ['apply', 'report']],
    ['align', ['align', 'report']],
    ['validate', ['validate', 'report']],
    ['publish', ['publish', 'report']],
    ['report', ['report']],
    ['doctor', ['report']],
    ['nx:verify', ['report']],
  ])('stagesFor(%s) = %j', (command, stages) => {
    expect(stagesFor(command)).toEqual(stages);
  });

  it('daily runs every stage in order', () => {
    expect(DAILY_STAGES).toEqual(['verify', 'apply', 'align', 'validate', 'publish', 'report']);
  });

  /** Progress lines of one run, by kind. */
  function recorder(): Progress & { lines: { info: string[]; warn: string[]; error: string[] } } {
    const lines = { info: [] as string[], warn: [] as string[], error: [] as string[] };
    return { lines, info: (m) => lines.info.push(m), warn: (m) => lines.warn.push(m), error: (m) => lines.error.push(m) };
  }

  it('a stage with no implementation installed is recorded as not configured and the run goes on; report is never run as a stage', async () => {
    const config = setup();
    const progress = recorder();
    const state = await runPipeline(config, { command: 'daily', impls: { verify: ok, align: ok, validate: ok, publish: ok }, writeReport, progress, fetch: false });
    expect(state.stages.find((s) => s.name === 'apply')).toMatchObject({ status: 'not-configured', summary: 'no apply implementation is installed' });
    expect(statuses(state)).toEqual({ verify: 'ok', apply: 'not-configured', align: 'ok', validate: 'ok', publish: 'ok', report: 'ok' });
    expect(progress.lines.info.filter((l) => l.endsWith(': started'))).toEqual(['verify: started', 'apply: started', 'align: started', 'validate: started', 'publish: started']);
  });

  it('stages given explicitly replace the command\'s', async () => {
    const config = setup();
    const order: string[] = [];
    const mk = (n: string): StageImpl => async () => (order.push(n), { status: 'ok', summary: n });
    const state = await runPipeline(config, { command: 'daily', stages: ['align', 'report'], impls: { verify: mk('verify'), apply: mk('apply'), align: mk('align') }, writeReport, fetch: false });
    expect(order).toEqual(['align']);
    expect(statuses(state)).toMatchObject({ verify: 'skipped', apply: 'skipped', align: 'ok', report: 'ok' });
  });

  // The handlers are called as the signal would call them: a real signal to our own pid works only
  // in a main thread (the SIGTERM case above), and StrykerJS runs tests in worker threads.
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('with handleSignals, %s ends the run as interrupted (exit %i); a second one only says to wait; the handlers are gone afterwards', async (signal, exitCode) => {
    const config = setup();
    const progress = recorder();
    const before = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
    const added: Record<string, number> = {};
    const stage: StageImpl = async (ctx) => {
      const ours = process.listeners(signal).filter((l) => !before[signal].includes(l));
      for (const s of ['SIGINT', 'SIGTERM'] as const) added[s] = process.listeners(s).filter((l) => !before[s].includes(l)).length;
      ours[0](signal);
      expect(ctx.signal.aborted).toBe(true);
      ours[0](signal);
      return { status: 'ok', summary: 'fine' };
    };
    const state = await runPipeline(config, { command: 'daily', impls: { verify: stage, apply: ok }, writeReport, progress, handleSignals: true, fetch: false });
    expect(added).toEqual({ SIGINT: 1, SIGTERM: 1 });
    expect(progress.lines.warn).toEqual([`${signal} received: stopping the current command, cleaning up, writing the report`, `${signal} again: still cleaning up, please wait`]);
    expect(state.exitCode).toBe(exitCode);
    expect(state.outcome).toBe('interrupted');
    expect(statuses(state).apply).toBe('skipped');
    expect(process.listeners('SIGINT')).toEqual(before.SIGINT);
    expect(process.listeners('SIGTERM')).toEqual(before.SIGTERM);
  });

  it('the handlers need no progress to report to; without handleSignals none are installed', async () => {
    const config = setup();
    const before = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
    let during: { SIGINT: number; SIGTERM: number } | undefined;
    const watch: StageImpl = async () => ((during = { SIGINT: process.listeners('SIGINT').length, SIGTERM: process.listeners('SIGTERM').length }), { status: 'ok', summary: 'fine' });
    const plain = await runPipeline(config, { command: 'verify', impls: { verify: watch }, writeReport, fetch: false });
    expect(plain.exitCode).toBe(0);
    expect(during).toEqual({ SIGINT: before.SIGINT.length, SIGTERM: before.SIGTERM.length });
    let calledTwice = false;
    const quiet: StageImpl = async () => {
      const ours = process.listeners('SIGINT').filter((l) => !before.SIGINT.includes(l));
      ours[0]('SIGINT');
      ours[0]('SIGINT');
      calledTwice = true;
      return { status: 'ok', summary: 'fine' };
    };
    const state = await runPipeline(config, { command: 'verify', impls: { verify: quiet }, writeReport, handleSignals: true, fetch: false });
    expect(calledTwice).toBe(true);
    expect(state.exitCode).toBe(130);
    expect(state.errors.map((e) => e.code)).toEqual(['E_INTERRUPTED']);
    expect(process.listeners('SIGINT')).toEqual(before.SIGINT);
  });
});
