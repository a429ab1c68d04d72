import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRunState, loadConfig, saveState } from '@rebase-daily/core';
import { git, makeTempDir } from '@rebase-daily/core/testing';
import { initGraphiteStack } from '@rebase-daily/graphite/testing';
import { EnvelopeSchema } from '../src/index.js';
import { cli, day, type Day } from './helpers.js';

// doctor on real forks (real git, real gt): one line per check, exit 1 on any failure, and it
// changes nothing — refs, tree, lock, leftovers and the scratch dir are all as before.
let d: Day | undefined;
afterEach(() => d?.fixture.cleanup());
beforeAll(() => {
  process.env.HOME = makeTempDir('rebase-daily-home-'); // gt's user config stays out of the real HOME
});

const check = (json: any, name: string) => json.data.checks.find((c: any) => c.name === name);
const snapshot = (dd: Day) => ({
  refs: git(dd.fixture.clone, 'for-each-ref', '--format=%(refname) %(objectname)'),
  status: git(dd.fixture.clone, 'status', '--porcelain', '--untracked-files=all', '--ignored'),
  worktrees: git(dd.fixture.clone, 'worktree', 'list', '--porcelain'),
  scratch: existsSync(join(dd.fixture.clone, '.scratch')) ? readdirSync(join(dd.fixture.clone, '.scratch'), { recursive: true }).sort() : null,
});

function healthyDay(extra: Record<string, unknown> = {}): Day {
  const dd = day({}, { graphite: {}, ...extra });
  initGraphiteStack(dd.fixture.clone, dd.fixture.trunk, []);
  git(dd.fixture.clone, 'remote', 'set-url', '--push', 'upstream', 'DISABLED');
  return dd;
}

describe('doctor', () => {
  it('a healthy fork: every check ok, exit 0, nothing changed', async () => {
    d = healthyDay();
    const before = snapshot(d);
    const r = await cli(['doctor', '--config', d.configPath, '--json']);
    expect(r.code, JSON.stringify(r.json.data.checks, null, 2)).toBe(0);
    expect(EnvelopeSchema.parse(r.json)).toMatchObject({ command: 'doctor', ok: true, outcome: null, errors: [] });
    const statuses = Object.fromEntries(r.json.data.checks.map((c: any) => [c.name, c.status]));
    expect(statuses).toEqual({
      config: 'ok',
      git: 'ok',
      scratch: 'ok',
      repo: 'ok',
      branches: 'ok',
      'remote fork (origin)': 'ok',
      'remote upstream (upstream)': 'ok',
      'upstream push URL': 'ok',
      'config branches': 'ok',
      gt: 'ok',
      'validate tools': 'skip',
      lock: 'ok',
      leftovers: 'ok',
    });
    expect(check(r.json, 'git').message).toMatch(/merge-tree --write-tree works; merges through one `merge-tree --stdin`/);
    expect(check(r.json, 'git').details).toMatchObject({ mergeProcess: 'conversation' });
    expect(snapshot(d)).toEqual(before);

    const human = await cli(['doctor', '--config', d.configPath]);
    expect(human.stdout.trim().split('\n')).toHaveLength(r.json.data.checks.length + 1); // one line per check + verdict
  });

  it('warns while the upstream remote can be pushed to', async () => {
    d = day();
    const r = await cli(['doctor', '--config', d.configPath, '--json']);
    expect(r.code).toBe(0);
    expect(check(r.json, 'upstream push URL')).toMatchObject({ status: 'warn', fix: expect.stringMatching(/set-url --push upstream no_push/) });
  });

  it('a fork without the upstream remote: fail naming the fix, exit 1', async () => {
    d = healthyDay();
    git(d.fixture.clone, 'remote', 'remove', 'upstream');
    const r = await cli(['doctor', '--config', d.configPath, '--json']);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ ok: false, exitCode: 1, outcome: 'error' });
    expect(check(r.json, 'remote upstream (upstream)')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/remote add upstream/) });
    expect(r.json.errors.map((e: any) => e.code)).toEqual(['E_DOCTOR_CHECK_FAILED']);
  });

  it('an unreachable remote fails', async () => {
    d = healthyDay();
    git(d.fixture.clone, 'remote', 'set-url', 'origin', join(d.fixture.root, 'gone.git'));
    const r = await cli(['doctor', '--config', d.configPath, '--json']);
    expect(r.code).toBe(1);
    expect(check(r.json, 'remote fork (origin)').message).toMatch(/ls-remote origin` failed/);
  });

  it('a stale lock of a run on another host: fail with the FORCE_STALE_LOCK rule, lock untouched', async () => {
    d = healthyDay();
    const lock = join(d.fixture.clone, '.scratch', 'locks', 'rebase-daily.lock');
    mkdirSync(lock, { recursive: true });
    writeFileSync(join(lock, 'meta.json'), JSON.stringify({ runId: 'crashed-run', pid: 999999, ownerPid: 999999, hostname: `${hostname()}-elsewhere`, startedAt: new Date(Date.now() - 7 * 3600_000).toISOString(), command: 'daily', shas: {} }));
    const r = await cli(['doctor', '--config', d.configPath, '--json']);
    expect(r.code).toBe(1);
    expect(check(r.json, 'lock')).toMatchObject({ status: 'fail', details: { stale: true, pidAlive: null } });
    expect(check(r.json, 'lock').message).toMatch(/stale lock held by run crashed-run/);
    expect(check(r.json, 'lock').fix).toMatch(/FORCE_STALE_LOCK=1/);
    expect(existsSync(join(lock, 'meta.json'))).toBe(true);
  });

  it('the lock of a run that died on this host: warn that the next run takes it over, lock untouched', async () => {
    d = healthyDay();
    const lock = join(d.fixture.clone, '.scratch', 'locks', 'rebase-daily.lock');
    mkdirSync(lock, { recursive: true });
    writeFileSync(join(lock, 'meta.json'), JSON.stringify({ runId: 'crashed-run', pid: 999999, ownerPid: 999999, hostname: hostname(), startedAt: new Date().toISOString(), command: 'daily', shas: {} }));
    const r = await cli(['doctor', '--config', d.configPath, '--json']);
    expect(check(r.json, 'lock')).toMatchObject({ status: 'warn', details: { pidAlive: false } });
    expect(check(r.json, 'lock').message).toMatch(/held by run crashed-run .*, whose process is dead \(pid 999999 is not running\); the next run takes it over$/);
    expect(existsSync(join(lock, 'meta.json'))).toBe(true);
  });

  it('gt missing (not on PATH, graphite.bin pointing nowhere): fail with the install hint', async () => {
    d = healthyDay({ graphite: { bin: './nowhere/gt' } });
    const r = await cli(['doctor', '--config', d.configPath, '--json'], { PATH: '/usr/bin:/bin' });
    expect(r.code).toBe(1);
    expect(check(r.json, 'gt')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/graphite-cli/) });
    expect(check(r.json, 'gt').message).toMatch(/graphite\.bin "\.\/nowhere\/gt" is not an executable/);
  });

  it('reports leftovers: what a crashed run recorded (the next run undoes it) apart from look-alikes no run recorded; touches neither', async () => {
    d = healthyDay();
    const config = loadConfig({ configPath: d.configPath, cwd: d.fixture.root, env: {} });
    if (!config.ok) throw new Error(config.errors.join());
    const wt = join(d.fixture.clone, '.scratch', 'worktrees', 'verify-crashed');
    const mine = join(d.fixture.clone, '.scratch', 'worktrees', 'mine');
    const state = { ...createRunState(config.config, { command: 'daily', stages: ['verify', 'report'] }, '20200101T000000Z-1-dead'), temporaries: [{ kind: 'branch' as const, path: 'rebase-daily/verify-crashed' }, { kind: 'worktree' as const, path: wt }] };
    mkdirSync(join(d.fixture.clone, '.scratch', 'rebase-daily', 'runs', state.runId), { recursive: true });
    saveState(state);
    git(d.fixture.clone, 'worktree', 'add', '-q', '-b', 'rebase-daily/verify-crashed', wt, d.fixture.trunk);
    git(d.fixture.clone, 'worktree', 'add', '-q', '-b', 'rebase-daily/mine', mine, d.fixture.trunk);
    const before = snapshot(d);
    const r = await cli(['doctor', '--config', d.configPath, '--json']);
    expect(check(r.json, 'leftovers').status).toBe('warn');
    expect(check(r.json, 'leftovers').details.found).toEqual([`temporary branch rebase-daily/verify-crashed (run ${state.runId})`, `temporary worktree ${wt} (run ${state.runId})`]);
    expect(check(r.json, 'leftovers').details.foreign).toEqual([`worktree ${mine}`, 'branch rebase-daily/mine']);
    expect(check(r.json, 'leftovers').message).toMatch(/not recorded by any run, so rebase-daily leaves them alone/);
    expect(snapshot(d)).toEqual(before);
  });

  it('a dirty tree and a missing config are failures', async () => {
    d = healthyDay();
    writeFileSync(join(d.fixture.clone, 'stray.txt'), 'x\n');
    const dirty = await cli(['doctor', '--config', d.configPath, '--json']);
    expect(check(dirty.json, 'repo')).toMatchObject({ status: 'fail', details: { files: ['stray.txt'] } });
    const none = await cli(['doctor', '--json'], { REBASE_DAILY_CONFIG: '' }, makeTempDir());
    expect(none.code).toBe(1);
    expect(check(none.json, 'config').fix).toMatch(/rebase-daily init/);
    expect(check(none.json, 'git').status).toBe('ok');
  });
});

describe('doctor predicts the validate stage', () => {
  it('just missing where validate would look: fail naming it', async () => {
    d = healthyDay({ validate: { cwd: '.' } });
    const cargoDir = dirname(execFileSync('sh', ['-c', 'command -v cargo'], { encoding: 'utf8' }).trim());
    const elsewhere = makeTempDir(); // no node_modules/.bin above it
    const r = await cli(['doctor', '--config', d.configPath, '--json'], { PATH: `${cargoDir}:/usr/bin:/bin` }, elsewhere);
    // No justfile in the fixture: cargo fmt is the default, so cargo alone is enough.
    expect(check(r.json, 'validate tools')).toMatchObject({ status: 'ok' });
    writeFileSync(join(d.fixture.clone, 'justfile'), 'fmt:\n    cargo fmt --all\n');
    git(d.fixture.clone, 'add', 'justfile');
    git(d.fixture.clone, 'commit', '-q', '-m', 'justfile');
    const withJust = await cli(['doctor', '--config', d.configPath, '--json'], { PATH: `${cargoDir}:/usr/bin:/bin` }, elsewhere);
    expect(check(withJust.json, 'validate tools')).toMatchObject({ status: 'fail', message: expect.stringMatching(/not found: just/) });
  });
});
