import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock } from '@rebase-daily/core';
import { EnvelopeSchema } from '../src/index.js';
import { cli, day, type Day } from './helpers.js';

// `lock` / `unlock`: a hold for manual work (an agent resolving a conflict, the manual fallback) on
// the real lock directory, and a real daily run refused while it stands.
let d: Day | undefined;
afterEach(() => d?.fixture.cleanup());

describe('lock and unlock', () => {
  it('a hold refuses the daily run (exit 15, names the hold, moves nothing) until unlock', async () => {
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'up\n' }, message: 'upstream: up' }] });
    const held = await cli(['lock', '--config', d.configPath, '--reason', 'resolving a verify conflict', '--json'], { USER: 'ada' });
    expect(held.code).toBe(0);
    const env = EnvelopeSchema.parse(held.json);
    expect(env).toMatchObject({ command: 'lock', exitCode: 0, outcome: null });
    expect(held.json.data.lock).toMatchObject({ held: true, holder: { command: 'lock', manual: { reason: 'resolving a verify conflict', user: 'ada' } } });
    const lockDir = held.json.data.lock.path;
    expect(existsSync(lockDir)).toBe(true);

    const before = d.refs();
    const refused = await cli(['daily', '--config', d.configPath, '--json']);
    expect(refused.code).toBe(15);
    expect(refused.json.errors[0].message).toMatch(/manual session of ada .*"resolving a verify conflict".*rebase-daily unlock/);
    expect(d.refs()).toEqual(before);

    const status = await cli(['status', '--config', d.configPath]);
    expect(status.stdout).toMatch(/lock: held by a manual session of ada \("resolving a verify conflict"\)/);
    expect(status.stdout).not.toMatch(/process not running/);

    const again = await cli(['lock', '--config', d.configPath]);
    expect(again.code).toBe(15);
    expect(again.stderr).toMatch(/^rebase-daily: E_LOCK_TAKEN: lock held by a manual session/);

    const released = await cli(['unlock', '--config', d.configPath]);
    expect(released.code).toBe(0);
    expect(released.stdout).toMatch(/lock: released the hold of ada \("resolving a verify conflict"/);
    expect(existsSync(lockDir)).toBe(false);
    expect((await cli(['unlock', '--config', d.configPath])).stdout).toMatch(/lock: free \(nothing to release\)/);

    const run = await cli(['daily', '--config', d.configPath, '--json']);
    expect(run.json.outcome).not.toBe('lock-taken');
  });

  it('--reason is for lock only', async () => {
    const r = await cli(['unlock', '--reason', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('rebase-daily: `rebase-daily unlock` does not take --reason (`rebase-daily lock`, `rebase-daily resolve` do); see `rebase-daily unlock --help`\n');
  });

  describe('the lock of a run that was killed (kill -9 of a real process)', () => {
    const killedRunLock = async (dd: Day) => {
      const victim = spawn('sleep', ['60'], { stdio: 'ignore' });
      const pid = victim.pid!;
      const lockDir = join(dd.fixture.clone, '.scratch', 'locks', 'rebase-daily.lock');
      acquireLock({ lockDir, staleAfterHours: 6, forceStale: false, meta: { runId: 'killed-run', pid, ownerPid: pid, hostname: hostname(), startedAt: new Date().toISOString(), command: 'daily', shas: {} } });
      victim.kill('SIGKILL');
      await new Promise((r) => victim.once('exit', r));
      return { lockDir, pid };
    };

    it('unlock removes it and says why', async () => {
      d = day();
      const { lockDir, pid } = await killedRunLock(d);
      const r = await cli(['unlock', '--config', d.configPath]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^lock: removed the lock of run killed-run \\(daily, since .*\\): its holder is dead — pid ${pid} is not running`));
      expect(existsSync(lockDir)).toBe(false);
    });

    it('the next daily takes it over by itself and the report records the takeover', async () => {
      d = day({ upstreamCommits: [{ files: { 'UP.md': 'up\n' }, message: 'upstream: up' }] });
      const { pid } = await killedRunLock(d);
      const r = await cli(['daily', '--config', d.configPath, '--json']);
      expect(r.code).toBe(0);
      expect(d.report().lock.takenOver).toMatchObject({ previous: { runId: 'killed-run', pid }, reason: `pid ${pid} is not running` });
      expect(d.report().warnings).toContainEqual(expect.stringMatching(/^took over the lock of run killed-run/));
    });
  });
});
