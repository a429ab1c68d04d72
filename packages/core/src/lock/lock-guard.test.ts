import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bootId, readProcStat } from '../process/holder.js';
import { acquireLock, lockDirFor, lockHolderLiveness, pidAlive, readLockMeta, releaseLock, releaseManualHold, type LockMeta } from './lock.js';
import { makeTempDir, removeDir } from '../testing/index.js';

// The break guard (`<lock>.breaking`) and the moments between a look and the next step. Real
// processes hold guards and locks; where a change must land exactly between two steps of the code
// under test, the meta.json it reads is a named pipe served by a real child process: the read
// blocks until the child has made the change (a deterministic race, no sleeps to tune).

const HOUR = 3_600_000;
const meta = (runId: string, pid: number, extra: Partial<LockMeta> = {}): LockMeta => ({
  runId,
  pid,
  ownerPid: pid,
  hostname: hostname(),
  startedAt: new Date().toISOString(),
  command: 'daily',
  shas: {},
  ownerStartTime: readProcStat(pid)?.startTime ?? null,
  ...extra,
});
/** A lock or guard directory; null: its meta.json does not parse (an empty directory would be replaced by a rename). */
const place = (dir: string, m: LockMeta | null) => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'meta.json'), m ? JSON.stringify(m) : 'not json');
};
const ago = (dir: string, ms: number) => {
  const t = new Date(Date.now() - ms);
  utimesSync(dir, t, t);
};
/** The pid of a process that has exited (and been reaped). */
const deadPid = () => spawnSync('true').pid!;
/**
 * Take the names `<prefix>-<ms>-<our pid>` from now until `aheadMs` ahead of the clock, however slow
 * the machine: symbolic links (one syscall each), onto which renaming a directory fails. Returns them.
 */
const occupyAhead = (prefix: string, aheadMs: number): string[] => {
  const names: string[] = [];
  for (let t = Date.now(); t < Date.now() + aheadMs && names.length < 100_000; t++) {
    const name = `${prefix}-${t}-${process.pid}`;
    symlinkSync('occupied', name);
    names.push(name);
  }
  return names;
};
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) removeDir(d);
});
const node = (script: string, args: string[] = []) => {
  const c = spawn(process.execPath, ['-e', script, ...args], { stdio: 'ignore' });
  children.push(c);
  return c;
};
const liveChild = () => node('setTimeout(() => {}, 60000)');
const newLockDir = () => {
  const root = makeTempDir('lock-guard-');
  dirs.push(root);
  return lockDirFor(root);
};
const me = (lockDir: string, runId = 'next', extra: { forceStale?: boolean; now?: Date } = {}) =>
  acquireLock({ lockDir, meta: meta(runId, process.pid), staleAfterHours: 6, forceStale: extra.forceStale ?? false, now: extra.now });

/**
 * Make `<dir>/meta.json` a named pipe served by a child: every read gets `served`; during the first
 * read (after the reader opened the pipe, before it sees the end) the child runs `act` (sync fs
 * calls; `fs`, `path` and `pipe` in scope). The child ends when the pipe is gone or no longer a pipe.
 */
function gatedMeta(dir: string, served: string, act: string): void {
  mkdirSync(dir, { recursive: true });
  const pipe = join(dir, 'meta.json');
  expect(spawnSync('mkfifo', [pipe]).status).toBe(0);
  node(
    `const fs = require('node:fs'); const path = require('node:path');
const [pipe, served] = process.argv.slice(1);
let first = true;
for (;;) {
  let fd;
  try { fd = fs.openSync(pipe, fs.constants.O_WRONLY); } catch { process.exit(0); }
  if (!fs.fstatSync(fd).isFIFO()) process.exit(0); // replaced by a regular file (by act): never write into it
  fs.writeSync(fd, served);
  if (first) { first = false; ${act} }
  fs.closeSync(fd);
}`,
    [pipe, served],
  );
  // A watchdog: should the child never serve the pipe, a blocked reader gets an empty read after 30 s, not a hung test.
  const dog = spawn('sh', ['-c', 'sleep 30; : > "$0"', pipe], { stdio: 'ignore' });
  children.push(dog);
}

describe('lock: liveness and the recorded identity', () => {
  it('pidAlive judges a pid on this host: this process lives, an exited one does not', () => {
    expect(pidAlive(process.pid, hostname())).toBe(true);
    expect(pidAlive(deadPid(), hostname())).toBe(false);
  });

  it('a manual hold has no process to judge, whatever its pid', () => {
    expect(lockHolderLiveness(meta('manual', deadPid(), { manual: { reason: 'r', user: 'ada' } }))).toEqual({ alive: null, reason: 'a manual hold (no process keeps it)' });
  });

  it('records the start time of the owner pid, not of the stage process', () => {
    const lockDir = newLockDir();
    const owner = liveChild().pid!;
    const m: LockMeta = { runId: 'staged', pid: process.pid, ownerPid: owner, hostname: hostname(), startedAt: new Date().toISOString(), command: 'daily', shas: {} };
    expect(acquireLock({ lockDir, meta: m, staleAfterHours: 6, forceStale: false }).acquired).toBe(true);
    expect(readLockMeta(lockDir)?.ownerStartTime).toBe(readProcStat(owner)!.startTime);
    expect(readProcStat(owner)!.startTime).not.toBe(readProcStat(process.pid)!.startTime);
  });

  it('a resolve hold without a recorded user is named "of unknown"', () => {
    const lockDir = newLockDir();
    place(lockDir, meta('resolve-r2', process.pid, { command: 'resolve', resolve: { id: 'r2', worktree: '/w/r2', authorisedBy: null } }));
    const r = me(lockDir);
    expect(!r.acquired && r.message).toMatch(/^lock held by a conflict resolution \(r2\) of unknown on /);
  });

  it('a lock path taken by a regular file is an error from the rename, not a refusal', () => {
    const lockDir = newLockDir();
    mkdirSync(dirname(lockDir), { recursive: true });
    writeFileSync(lockDir, 'not a lock');
    expect(() => me(lockDir)).toThrow(expect.objectContaining({ code: 'ENOTDIR', syscall: 'rename' }));
    expect(readFileSync(lockDir, 'utf8')).toBe('not a lock');
  });

  it('FORCE_STALE_LOCK breaks a stale lock without meta.json (no holder to name)', () => {
    const lockDir = newLockDir();
    place(lockDir, null);
    ago(lockDir, 7 * HOUR);
    const r = me(lockDir, 'next', { forceStale: true });
    expect(r).toMatchObject({ acquired: true, override: { previous: null }, takenOver: null });
    expect(r.acquired && r.override!.ageHours).toBeGreaterThan(6.9);
    expect(readLockMeta(lockDir)?.runId).toBe('next');
  });
});

describe('lock: the break guard', () => {
  it('a fresh guard without meta.json is left alone (judged by its age only): the dead holder\'s lock waits', () => {
    const lockDir = newLockDir();
    place(lockDir, meta('dead-run', deadPid()));
    place(`${lockDir}.breaking`, null);
    const r = me(lockDir);
    expect(!r.acquired && r.message).toMatch(/is dead .* another run is taking the lock over right now/);
    expect(readLockMeta(lockDir)?.runId).toBe('dead-run');
    expect(existsSync(`${lockDir}.breaking`)).toBe(true);
  });

  it('an old guard without meta.json is cleared even while the names it would be moved to are taken, which stay untouched', () => {
    const lockDir = newLockDir();
    place(lockDir, meta('dead-run', deadPid()));
    const guard = `${lockDir}.breaking`;
    place(guard, null);
    ago(guard, 2 * 60_000);
    // Its aside names for the next 300 ms are taken: clearing fails until then (the run retries for 2 s).
    const taken = occupyAhead(`${guard}.dead`, 300);
    const r = me(lockDir);
    expect(r).toMatchObject({ acquired: true, takenOver: { previous: { runId: 'dead-run' } } });
    expect(taken.filter((t) => !lstatSync(t, { throwIfNoEntry: false })?.isSymbolicLink())).toEqual([]);
    expect(existsSync(guard)).toBe(false);
  });

  it('a dead holder\'s takeover whose aside name is taken changes nothing and is refused', () => {
    const lockDir = newLockDir();
    place(lockDir, meta('dead-run', deadPid()));
    const now = new Date();
    const aside = `${lockDir}.dead-${now.getTime()}-${process.pid}`;
    place(aside, meta('occupant', process.pid));
    const r = me(lockDir, 'next', { now });
    expect(r).toMatchObject({ acquired: false, holder: { runId: 'dead-run' }, pidAlive: false });
    expect(readLockMeta(lockDir)?.runId).toBe('dead-run');
    expect(readLockMeta(aside)?.runId).toBe('occupant');
  });

  it('a lock a live breaker removes while this run waits for the guard is simply created', async () => {
    const lockDir = newLockDir();
    place(lockDir, meta('dead-run', deadPid()));
    const guard = `${lockDir}.breaking`;
    const breaker = node(`setTimeout(() => { const fs = require('node:fs'); fs.rmSync(${JSON.stringify(lockDir)}, { recursive: true }); fs.rmSync(${JSON.stringify(guard)}, { recursive: true }); setTimeout(() => {}, 60000); }, 300)`);
    place(guard, meta('breaker-live', breaker.pid!));
    const r = me(lockDir);
    expect(r).toEqual({ acquired: true, override: null, takenOver: null });
    expect(readLockMeta(lockDir)?.runId).toBe('next');
  });
});

describe('unlock racing a breaker', () => {
  it('a dead run\'s lock whose guard a live breaker holds throughout is not reported removed', () => {
    const lockDir = newLockDir();
    place(lockDir, meta('dead-run', deadPid()));
    place(`${lockDir}.breaking`, meta('breaker-live', liveChild().pid!));
    const r = releaseManualHold(lockDir);
    expect(r).toMatchObject({ released: false, reason: 'run', holder: { runId: 'dead-run' } });
    // It says what is going on: the holder is dead and another run is taking the lock over.
    expect(r.released === false && r.reason === 'run' && r.message).toMatch(/^lock held by run dead-run .*, which is dead \(pid \d+ is not running\), but another run is taking the lock over right now; run `rebase-daily status` in a minute$/);
    expect(readLockMeta(lockDir)?.runId).toBe('dead-run');
  });

  it('a dead run\'s lock taken over while unlock waits for the guard stays with its new holder', () => {
    const lockDir = newLockDir();
    place(lockDir, meta('dead-run', deadPid()));
    const guard = `${lockDir}.breaking`;
    const swapper = node(`const fs = require('node:fs');
setTimeout(() => {
  fs.rmSync(${JSON.stringify(lockDir)}, { recursive: true });
  fs.mkdirSync(${JSON.stringify(lockDir)});
  fs.writeFileSync(${JSON.stringify(join(lockDir, 'meta.json'))}, JSON.stringify({ runId: 'winner', pid: process.pid, ownerPid: process.pid, hostname: require('node:os').hostname(), startedAt: new Date().toISOString(), command: 'daily', shas: {} }));
  fs.rmSync(${JSON.stringify(guard)}, { recursive: true });
  setTimeout(() => {}, 60000);
}, 300);`);
    place(guard, meta('breaker-live', swapper.pid!));
    expect(releaseManualHold(lockDir)).toMatchObject({ released: false, reason: 'run' });
    expect(readLockMeta(lockDir)?.runId).toBe('winner');
  });

  it('a dead run\'s lock whose aside names are all taken is not reported removed', () => {
    const lockDir = newLockDir();
    place(lockDir, meta('dead-run', deadPid()));
    occupyAhead(`${lockDir}.dead`, 1000);
    expect(releaseManualHold(lockDir)).toMatchObject({ released: false, reason: 'run', holder: { runId: 'dead-run' } });
    expect(readLockMeta(lockDir)?.runId).toBe('dead-run');
  });

  it.each([
    { label: 'replaces it with its own run\'s lock', replace: true },
    { label: 'removes it', replace: false },
  ])('a manual hold a live breaker $label while unlock waits for the guard: unlock says it changed', ({ replace }) => {
    const lockDir = newLockDir();
    place(lockDir, meta('manual-1', process.pid, { command: 'lock', manual: { reason: 'hand work', user: 'ada' } }));
    const guard = `${lockDir}.breaking`;
    const swapper = node(`const fs = require('node:fs');
setTimeout(() => {
  fs.rmSync(${JSON.stringify(lockDir)}, { recursive: true });
  if (${replace}) {
    fs.mkdirSync(${JSON.stringify(lockDir)});
    fs.writeFileSync(${JSON.stringify(join(lockDir, 'meta.json'))}, JSON.stringify({ runId: 'winner', pid: process.pid, ownerPid: process.pid, hostname: require('node:os').hostname(), startedAt: new Date().toISOString(), command: 'daily', shas: {} }));
  }
  fs.rmSync(${JSON.stringify(guard)}, { recursive: true });
  setTimeout(() => {}, 60000);
}, 300);`);
    place(guard, meta('breaker-live', swapper.pid!));
    const r = releaseManualHold(lockDir);
    expect(r).toEqual({ released: false, reason: 'run', holder: expect.objectContaining({ runId: 'manual-1' }), message: `lock ${lockDir} changed while unlocking (another run is breaking or taking it); run \`rebase-daily status\` and retry` });
    expect(readLockMeta(lockDir)?.runId).toBe(replace ? 'winner' : undefined);
  });
});

describe('lock: a change exactly between two steps (meta.json a named pipe served by a child)', () => {
  it('the guard a run releases its lock under names that run: its pid, start time, host and boot', () => {
    const lockDir = newLockDir();
    const seen = join(dirname(lockDir), 'seen.json');
    gatedMeta(lockDir, JSON.stringify(meta('mine', process.pid)), `fs.copyFileSync(${JSON.stringify(`${lockDir}.breaking/meta.json`)}, ${JSON.stringify(seen)});`);
    expect(releaseLock(lockDir, 'mine')).toBe(true);
    const guardMeta = JSON.parse(readFileSync(seen, 'utf8')) as LockMeta;
    expect(guardMeta).toMatchObject({ pid: process.pid, ownerPid: process.pid, hostname: hostname(), command: 'break-lock', ownerStartTime: readProcStat(process.pid)!.startTime, bootId: bootId() });
    expect(guardMeta.runId).toMatch(new RegExp(`^breaker-${process.pid}-[0-9a-f-]{36}$`));
    expect(readdirSync(dirname(lockDir))).toEqual(['seen.json']);
  });

  it('a guard another breaker took over while this run held it is left to that breaker', () => {
    const lockDir = newLockDir();
    const guard = `${lockDir}.breaking`;
    const other = liveChild().pid!;
    gatedMeta(
      lockDir,
      JSON.stringify(meta('mine', process.pid)),
      `fs.renameSync(${JSON.stringify(guard)}, ${JSON.stringify(`${guard}.judged`)}); fs.mkdirSync(${JSON.stringify(guard)}); fs.writeFileSync(${JSON.stringify(`${guard}/meta.json`)}, ${JSON.stringify(JSON.stringify(meta('breaker-other', other)))});`,
    );
    expect(releaseLock(lockDir, 'mine')).toBe(true);
    expect(readLockMeta(guard)?.runId).toBe('breaker-other');
  });

  it('a guard removed by another process while this run held it: the release still succeeds', () => {
    const lockDir = newLockDir();
    const guard = `${lockDir}.breaking`;
    gatedMeta(lockDir, JSON.stringify(meta('mine', process.pid)), `fs.rmSync(${JSON.stringify(guard)}, { recursive: true });`);
    expect(releaseLock(lockDir, 'mine')).toBe(true);
    expect(readdirSync(dirname(lockDir))).toEqual([]);
  });

  it('a lock (without readable meta.json) that vanishes between the failed create and the look is created again', () => {
    const lockDir = newLockDir();
    gatedMeta(lockDir, 'not json', `fs.renameSync(${JSON.stringify(lockDir)}, ${JSON.stringify(`${lockDir}.gone`)});`);
    expect(me(lockDir)).toEqual({ acquired: true, override: null, takenOver: null });
    expect(readLockMeta(lockDir)?.runId).toBe('next');
  });

  it('a look at the lock that fails for another reason than "gone" is an error, not a retry', () => {
    const lockDir = newLockDir();
    const locks = dirname(lockDir);
    gatedMeta(lockDir, 'not json', `fs.renameSync(${JSON.stringify(locks)}, ${JSON.stringify(`${locks}.moved`)}); fs.writeFileSync(${JSON.stringify(locks)}, 'a file');`);
    expect(() => me(lockDir)).toThrow(expect.objectContaining({ code: 'ENOTDIR', syscall: 'stat' }));
  });

  it('a dead breaker\'s guard that vanishes while judged: the run takes the guard and the dead holder\'s lock', () => {
    const lockDir = newLockDir();
    place(lockDir, meta('dead-run', deadPid()));
    const guard = `${lockDir}.breaking`;
    gatedMeta(guard, JSON.stringify(meta('breaker-dead', deadPid())), `fs.renameSync(${JSON.stringify(guard)}, ${JSON.stringify(`${guard}.gone`)});`);
    expect(me(lockDir)).toMatchObject({ acquired: true, takenOver: { previous: { runId: 'dead-run' } } });
    expect(existsSync(guard)).toBe(false);
  });

  it('a dead breaker\'s guard replaced by a live breaker\'s while judged: the live one is put back and kept', () => {
    const lockDir = newLockDir();
    place(lockDir, meta('dead-run', deadPid()));
    const guard = `${lockDir}.breaking`;
    const live = liveChild().pid!;
    gatedMeta(
      guard,
      JSON.stringify(meta('breaker-dead', deadPid())),
      `fs.renameSync(${JSON.stringify(guard)}, ${JSON.stringify(`${guard}.gone`)}); fs.mkdirSync(${JSON.stringify(guard)}); fs.writeFileSync(${JSON.stringify(`${guard}/meta.json`)}, ${JSON.stringify(JSON.stringify(meta('breaker-live', live)))});`,
    );
    const r = me(lockDir);
    expect(!r.acquired && r.message).toMatch(/is dead .* another run is taking the lock over right now/);
    expect(readLockMeta(guard)?.runId).toBe('breaker-live');
    expect(readLockMeta(lockDir)?.runId).toBe('dead-run');
  });
});
