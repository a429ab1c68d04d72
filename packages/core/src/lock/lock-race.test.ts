import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { readProcStat } from '../process/holder.js';
import { acquireLock, readLockMeta, releaseLock, type LockMeta } from './lock.js';
import { makeTempDir } from '../testing/index.js';

// Breaking a dead or stale holder's lock happens under `<lock>.breaking`, so the lock judged is the
// lock removed. These tests put real processes (live, killed) behind the guard and the locks.

const here = dirname(fileURLToPath(import.meta.url));
const meta = (runId: string, pid: number, host = hostname()): LockMeta => ({
  runId,
  pid,
  ownerPid: pid,
  hostname: host,
  startedAt: new Date().toISOString(),
  command: 'daily',
  shas: {},
  ownerStartTime: readProcStat(pid)?.startTime ?? null,
});
const place = (dir: string, m: LockMeta) => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(m));
};
/** The pid of a process that has exited (and been reaped). */
const deadPid = () => spawnSync('true').pid!;
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
const liveChild = (script = 'setTimeout(() => {}, 60000)') => {
  const c = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  children.push(c);
  return c;
};
const me = (runId: string) => ({ lockDir: '', meta: meta(runId, process.pid), staleAfterHours: 6, forceStale: false });

describe('lock breaking under the break guard', () => {
  it('a guard left by a breaker killed with -9 is cleared: the dead holder\'s lock is taken over and nothing is left beside it', () => {
    const lockDir = join(makeTempDir('lock-guard-'), 'locks', 'rebase-daily.lock');
    place(lockDir, meta('dead-run', deadPid()));
    place(`${lockDir}.breaking`, meta('breaker-killed', deadPid()));
    const r = acquireLock({ ...me('next'), lockDir });
    expect(r).toMatchObject({ acquired: true, takenOver: { previous: { runId: 'dead-run' } } });
    expect(readLockMeta(lockDir)?.runId).toBe('next');
    expect(readdirSync(dirname(lockDir))).toEqual(['rebase-daily.lock']);
  });

  it('a guard of another host is cleared by its age only (older than a minute)', () => {
    const lockDir = join(makeTempDir('lock-guard-'), 'locks', 'rebase-daily.lock');
    place(lockDir, meta('dead-run', deadPid()));
    const guard = `${lockDir}.breaking`;
    place(guard, meta('breaker-elsewhere', 4242, 'build-box-2'));
    const fresh = acquireLock({ ...me('too-early'), lockDir });
    expect(fresh).toMatchObject({ acquired: false, pidAlive: false });
    expect(fresh.acquired === false && fresh.message).toMatch(/is dead .* another run is taking the lock over right now; rerun in a minute/);
    expect(readLockMeta(lockDir)?.runId).toBe('dead-run');
    const old = new Date(Date.now() - 61_000);
    utimesSync(guard, old, old);
    expect(acquireLock({ ...me('later'), lockDir })).toMatchObject({ acquired: true, takenOver: { previous: { runId: 'dead-run' } } });
    expect(existsSync(guard)).toBe(false);
  });

  it('re-checks the judged lock under the guard: a lock that changed hands while waiting for it is kept', async () => {
    const lockDir = join(makeTempDir('lock-guard-'), 'locks', 'rebase-daily.lock');
    place(lockDir, meta('dead-run', deadPid()));
    const guard = `${lockDir}.breaking`;
    // A live breaker holds the guard; while this run waits for it, that breaker's run takes the
    // lock over (the dead run's lock replaced by its own) and lets the guard go.
    const swapper = liveChild(`
      const fs = require('node:fs');
      setTimeout(() => {
        fs.rmSync(${JSON.stringify(lockDir)}, { recursive: true });
        fs.mkdirSync(${JSON.stringify(lockDir)});
        fs.writeFileSync(${JSON.stringify(join(lockDir, 'meta.json'))}, JSON.stringify({ runId: 'winner', pid: process.pid, ownerPid: process.pid, hostname: require('node:os').hostname(), startedAt: new Date().toISOString(), command: 'daily', shas: {} }));
        fs.rmSync(${JSON.stringify(guard)}, { recursive: true });
        setTimeout(() => {}, 60000);
      }, 300);`);
    await new Promise((r) => setTimeout(r, 100));
    place(guard, meta('breaker-live', swapper.pid!));
    const r = acquireLock({ ...me('late'), lockDir });
    expect(r).toMatchObject({ acquired: false, holder: { runId: 'winner' }, pidAlive: true });
    expect(readLockMeta(lockDir)?.runId).toBe('winner');
    expect(existsSync(guard)).toBe(false);
  });

  it('a run releases its own lock while a live breaker holds the guard once the guard is free', async () => {
    const lockDir = join(makeTempDir('lock-guard-'), 'locks', 'rebase-daily.lock');
    expect(acquireLock({ ...me('mine'), lockDir }).acquired).toBe(true);
    const guard = `${lockDir}.breaking`;
    const breaker = liveChild(`setTimeout(() => { require('node:fs').rmSync(${JSON.stringify(guard)}, { recursive: true }); setTimeout(() => {}, 60000); }, 300)`);
    await new Promise((r) => setTimeout(r, 50));
    place(guard, meta('breaker-live', breaker.pid!));
    expect(releaseLock(lockDir, 'mine')).toBe(true);
    expect(existsSync(lockDir)).toBe(false);
  });

  it('processes racing for a dead holder\'s lock: exactly one holds it each round, and no guard or aside is left', async () => {
    const root = makeTempDir('lock-race-');
    const bundle = join(root, 'lock.mjs');
    buildSync({ entryPoints: [resolve(here, 'lock.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent' });
    const child = join(root, 'child.mjs');
    writeFileSync(
      child,
      `import { acquireLock } from ${JSON.stringify(bundle)};
import { hostname } from 'node:os';
const [lockDir, startAt, id] = process.argv.slice(2);
while (Date.now() < Number(startAt)) {}
const r = acquireLock({ lockDir, meta: { runId: id, pid: process.pid, ownerPid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), command: 'daily', shas: {} }, staleAfterHours: 6, forceStale: false });
process.stdout.write(String(r.acquired));
if (r.acquired) { const end = Date.now() + 1000; while (Date.now() < end) {} }
`,
    );
    const ROUNDS = 3;
    const RACERS = 5;
    for (let round = 0; round < ROUNDS; round++) {
      const lockDir = join(root, `r${round}`, 'locks', 'rebase-daily.lock');
      place(lockDir, meta(`dead-${round}`, deadPid()));
      // A start time far enough ahead that every racer is loaded and spinning, even on a busy machine.
      const startAt = Date.now() + 1500;
      const results = await Promise.all(
        Array.from({ length: RACERS }, (_, i) =>
          new Promise<string>((done) => {
            const c = spawn(process.execPath, [child, lockDir, String(startAt), `racer-${round}-${i}`]);
            let out = '';
            c.stdout.on('data', (d) => (out += d));
            c.stderr.on('data', (d) => (out += d));
            c.on('close', () => done(out));
          }),
        ),
      );
      expect(results.filter((x) => x === 'true'), `round ${round}: ${results.join(',')}`).toHaveLength(1);
      expect(results.filter((x) => x !== 'true' && x !== 'false')).toEqual([]);
      expect(readLockMeta(lockDir)?.runId).toMatch(new RegExp(`^racer-${round}-`));
      expect(readdirSync(dirname(lockDir))).toEqual(['rebase-daily.lock']);
    }
  }, 120_000);
});
