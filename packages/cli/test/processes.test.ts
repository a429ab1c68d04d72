import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FETCHED, git, RUN_BOOKKEEPING, snapshotRepo, unexpectedChanges } from '@rebase-daily/core/testing';
import { binPath, day, spawnCli, workspaceRoot, type Day } from './helpers.js';

// Separate processes: concurrency, signals, and the Nx graph. Uses the built CLI (dist/bin.js).
let d: Day | undefined;
afterEach(() => d?.fixture.cleanup());

const stateOf = (dd: Day) => {
  const runs = join(dd.fixture.clone, '.scratch', 'rebase-daily', 'runs');
  return readdirSync(runs).map((id) => JSON.parse(readFileSync(join(runs, id, 'state.json'), 'utf8')));
};
const waitFor = async (cond: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
};
const hook = (dd: Day, name: string, body: string) => {
  const file = join(dd.fixture.clone, '.git', 'hooks', name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
};

describe('processes', () => {
  it('built CLI exists (run `npx nx build @rebase-daily/cli` first)', () => {
    expect(existsSync(binPath)).toBe(true);
  });

  it('a run started while another holds the lock exits 15; the first then finishes with 0', async () => {
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] });
    // Every run that moves the trunk pushes it: the first run waits in its pre-push hook (holding
    // the lock, whichever engine) until the second has finished, so they overlap for certain.
    const inPush = join(d.fixture.root, 'first-run-in-push');
    const release = join(d.fixture.root, 'release-first-run');
    hook(d, 'pre-push', `touch "${inPush}"; i=0; while [ ! -f "${release}" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done`);
    const a = spawnCli(['daily', '--config', d.configPath, '--json']);
    await waitFor(() => existsSync(inPush), 60_000);
    const b = spawnCli(['daily', '--config', d.configPath, '--json']);
    const second = await b.done;
    expect(second.code, second.stderr).toBe(15);
    expect(JSON.parse(second.stdout)).toMatchObject({ outcome: 'lock-taken', exitCode: 15 });
    writeFileSync(release, '');
    const first = await a.done;
    expect(first.code, first.stderr).toBe(0);
    expect(d.clean()).toBe(true);
  }, 120_000);

  it.each([
    ['SIGTERM', 143, 'verify', 'post-checkout'],
    // Parked inside the publish push: nothing reaches the fork, the local refs go back.
    ['SIGTERM', 143, 'publish', 'pre-push'],
    ['SIGINT', 130, 'verify', 'post-checkout'],
    ['SIGINT', 130, 'publish', 'pre-push'],
  ] as const)('%s (exit %i) during %s strands nothing: no rebase, no temp worktree, lock released, report says interrupted and to rerun', async (signal, exit, stage, hookName) => {
    // The worktree engine: the in-memory engine (the default since git's engine landed) checks out
    // nothing in verify, so the post-checkout hook that marks "verify is running" would never fire.
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] }, { engine: 'worktree' });
    const marker = join(d.fixture.root, `${hookName}.started`);
    hook(d, hookName, `touch "${marker}"; sleep 30`);
    const before = git(d.fixture.originBare, 'rev-parse', `refs/heads/${d.fixture.trunk}`);
    const snapBefore = snapshotRepo({ repo: d.fixture.clone, remotes: [d.fixture.upstreamBare, d.fixture.originBare] });
    const run = spawnCli(['daily', '--config', d.configPath]);
    await waitFor(() => existsSync(marker));
    run.child.kill(signal);
    const { code, stderr } = await run.done;
    expect(code, stderr).toBe(exit);
    expect(d.clean()).toBe(true);
    expect(d.head()).toBe(d.fixture.trunk);
    expect(git(d.fixture.clone, 'worktree', 'list')).not.toMatch(/\.scratch/);
    expect(git(d.fixture.clone, 'branch', '--list', 'rebase-daily/*')).toBe('');
    expect(existsSync(join(d.fixture.clone, '.scratch', 'locks', 'rebase-daily.lock'))).toBe(false);
    expect(git(d.fixture.originBare, 'rev-parse', `refs/heads/${d.fixture.trunk}`)).toBe(before);
    expect(git(d.fixture.clone, 'rev-parse', `refs/heads/${d.fixture.trunk}`)).toBe(before);
    const [state] = stateOf(d);
    expect(state.errors.map((e: any) => e.code)).toContain('E_INTERRUPTED');
    expect(state.stages.find((s: any) => s.name === stage).status).toBe('failed');
    expect(state.outcome).toBe('interrupted');
    expect(d.report().exitCode).toBe(exit);
    expect(d.report().outcome).toBe('interrupted');
    expect(d.report().nextActions.join('\n')).toMatch(new RegExp(`interrupted by ${signal}.*Rerun rebase-daily when ready`));
    expect(d.report().nextActions.join('\n')).not.toMatch(/Fix the cause above/);
    // Beyond the run's bookkeeping, only git's own logs: in publish, the mirror and trunk apply moved
    // locally are moved back and nothing reached the fork (kept candidates are bookkeeping refs).
    const allowed = [...RUN_BOOKKEEPING, ...FETCHED, /^files [+~-] \.git\/(logs\/|ORIG_HEAD$|worktrees\/$|hooks\/)/, /^beside \+ [\w-]+\.started$/];
    if (stage === 'publish') allowed.push(/refs\/rebase-daily\/candidates\//, /^files [+~-] \.git\/(refs\/heads\/|refs\/rebase-daily\/|packed-refs$)/);
    expect(unexpectedChanges(snapBefore, snapshotRepo({ repo: d.fixture.clone, remotes: [d.fixture.upstreamBare, d.fixture.originBare] }), allowed)).toEqual([]);
  }, 60_000);

  it('the same day through `nx run rebase:daily` (tools/rebase/daily.mjs gives cron the exact code)', async () => {
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] });
    const env = { ...process.env, REBASE_DAILY_CONFIG: d.configPath, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' };
    const r = spawnSync(process.execPath, [join(workspaceRoot, 'tools', 'rebase', 'daily.mjs')], { cwd: workspaceRoot, env, encoding: 'utf8', timeout: 180_000 });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const report = d.report();
    expect(report.outcome).toBe('success');
    expect(report.stages.map((s: any) => s.status)).toEqual(['ok', 'ok', 'not-configured', 'not-configured', 'ok', 'ok']);
    expect(git(d.fixture.originBare, 'rev-parse', `refs/heads/${d.fixture.trunk}`)).toBe(git(d.fixture.clone, 'rev-parse', d.fixture.trunk));
    expect(existsSync(join(d.fixture.clone, '.scratch', 'locks', 'rebase-daily.lock'))).toBe(false);

    // A conflicting day: nx exits non-zero naming rebase:verify, the run still has its report, cron gets exactly 10.
    d.fixture.advanceUpstream([{ files: { 'FORK.md': 'upstream wrote this\n' }, message: 'upstream: clash with fork notes' }]);
    const nx = spawnSync(join(workspaceRoot, 'node_modules', '.bin', 'nx'), ['run', 'rebase:daily', '--outputStyle=stream'], { cwd: workspaceRoot, env, encoding: 'utf8', timeout: 180_000 });
    expect(nx.status).not.toBe(0);
    // Nx names the stage that failed, not the report task (which does not run: verify finished the run).
    // Without colour codes: under `nx run-many` the test inherits FORCE_COLOR and Nx colours its summary.
    const nxOut = (nx.stdout + nx.stderr).replace(/\u001b\[[0-9;]*m/g, '');
    expect(nxOut).toMatch(/Failed tasks:\s+- rebase:verify/);
    expect(nxOut).not.toMatch(/Failed tasks:[\s\S]*rebase:report/);
    expect(d.report().outcome).toBe('verify-conflict');
    expect(d.report().stages.find((s: any) => s.name === 'report').status).toBe('ok');
    const cron = spawnSync(process.execPath, [join(workspaceRoot, 'tools', 'rebase', 'daily.mjs')], { cwd: workspaceRoot, env, encoding: 'utf8', timeout: 180_000 });
    expect(cron.status).toBe(10);
    // One history line per run, however many Nx tasks it took (the writer runs once, when the run finishes).
    const ledger = readFileSync(join(d.fixture.clone, '.scratch', 'rebase-daily', 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(ledger.map((e) => e.outcome)).toEqual(['success', 'verify-conflict', 'verify-conflict']);
    expect(existsSync(join(d.fixture.clone, '.scratch', 'rebase-daily', 'dashboard.html'))).toBe(true);
  }, 300_000);
});
