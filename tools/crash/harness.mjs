// Crash injection: run the real CLI's `daily` on a generated fork, SIGKILL it (with or without all
// its descendants) at random moments and while parked inside the push, then check what a crash may
// never do: a half-updated fork remote, a lost patch, a child outliving the run, a next run that
// needs a human. Used by packages/cli/test/crash-injection.test.ts (bounded) and by
// tools/crash/run.mjs (`--kills N`, unbounded).
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createForkFixture, fixtureGitEnv, git, writeFixtureConfig } from '@rebase-daily/core/testing';

const workspace = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const binPath = join(workspace, 'packages', 'cli', 'dist', 'bin.js');
const MARK = 'REBASE_DAILY_CRASH_TRIAL';

/** A small deterministic PRNG (mulberry32), so a failing seed can be replayed. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Processes carrying `MARK=<token>` in their environment: everything a trial's CLI started. */
export function markedProcesses(token) {
  const needle = `${MARK}=${token}\0`;
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/environ`, 'latin1').includes(needle)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || state === 'X') continue; // dead, only not reaped (PID 1 may never reap)
      out.push({ pid: Number(name), argv: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function killAll(token) {
  for (let round = 0; round < 10; round++) {
    const left = markedProcesses(token);
    if (!left.length) return;
    for (const p of left) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}

/** The stable patch-id of each commit `git log <revs…>` lists. */
function patchIds(repo, ...revs) {
  const log = execFileSync('git', ['log', '-p', '--no-merges', '--format=commit %H', ...revs], { cwd: repo, env: { ...process.env, ...fixtureGitEnv }, maxBuffer: 64 << 20 });
  if (!log.length) return [];
  const ids = execFileSync('git', ['patch-id', '--stable'], { cwd: repo, input: log, env: { ...process.env, ...fixtureGitEnv } }).toString();
  return ids.split('\n').filter(Boolean).map((l) => l.split(' ')[0]);
}

const rev = (repo, ref) => {
  try {
    return git(repo, 'rev-parse', '--verify', '--quiet', ref);
  } catch {
    return null;
  }
};
const isAncestor = (repo, a, b) => spawnSync('git', ['merge-base', '--is-ancestor', a, b], { cwd: repo, env: { ...process.env, ...fixtureGitEnv } }).status === 0;

/** A fork whose queue replays cleanly: four patches on their own files; upstream touches others. */
export function createCrashFork(engine) {
  const fixture = createForkFixture({
    patches: [1, 2, 3, 4].map((n) => ({ files: { [`fork/patch-${n}.txt`]: `fork patch ${n}\n`, 'FORK.md': `fork notes, patch ${n}\n` }, message: `fork: patch ${n}` })),
    upstreamCommits: [{ files: { 'up/0.txt': 'upstream 0\n' }, message: 'upstream: 0' }],
  });
  const configPath = writeFixtureConfig(fixture, { engine });
  const queue = patchIds(fixture.clone, `${fixture.mirror}..${fixture.trunk}`);
  // An observer repository: the fork remote, upstream and the clone fetched side by side, so every
  // range can be computed whatever object each one lacks — without touching the clone.
  const observer = join(fixture.root, 'observer.git');
  git(fixture.root, 'init', '-q', '--bare', observer);
  return { fixture, configPath, queue, engine, day: 0, observer };
}

/** Fetch the three repositories into the observer; returns it. */
function observe(fork) {
  const { fixture, observer } = fork;
  for (const [name, repo] of [['origin', fixture.originBare], ['upstream', fixture.upstreamBare], ['local', fixture.clone]]) {
    git(observer, 'fetch', '-q', '--no-tags', '--prune', repo, `+refs/heads/*:refs/${name}/*`);
  }
  return observer;
}

function spawnDaily(fork, token) {
  const child = spawn(process.execPath, [binPath, 'daily', '--config', fork.configPath, '--json'], {
    detached: true, // its own process group: `kill -9 -<pgid>` is a meaningful kill mode
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, [MARK]: token },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise((res) => child.on('close', (code, signal) => res({ code, signal, stdout, stderr })));
  return { child, done };
}

function leftoversOf(stdout) {
  try {
    // The run's --json envelope carries its decision; the leftovers are in the report file it names.
    const data = JSON.parse(stdout).data ?? {};
    if (data.report?.leftovers) return data.report.leftovers;
    return data.reportPath && existsSync(data.reportPath) ? (JSON.parse(readFileSync(data.reportPath, 'utf8')).leftovers ?? []) : [];
  } catch {
    return [];
  }
}

function errorCodes(stdout) {
  try {
    return JSON.parse(stdout).errors.map((e) => e.code);
  } catch {
    return [];
  }
}

/** Where the killed run was: the running stage of its state, or the phase before the stages. */
function runIds(fork) {
  const runs = join(fork.fixture.clone, '.scratch', 'rebase-daily', 'runs');
  return existsSync(runs) ? readdirSync(runs).sort() : [];
}

function killedAt(fork, known) {
  const runs = join(fork.fixture.clone, '.scratch', 'rebase-daily', 'runs');
  const id = runIds(fork).filter((x) => !known.includes(x)).pop();
  if (!id) return { phase: 'startup', inFlight: null };
  let state = null;
  try {
    state = JSON.parse(readFileSync(join(runs, id, 'state.json'), 'utf8'));
  } catch {
    return { phase: 'startup', inFlight: null };
  }
  if (state.finishedAt) return { phase: 'finished', inFlight: null };
  const running = state.stages.find((s) => s.status === 'running');
  const phase = running ? running.name : !state.lock.acquired ? 'startup' : state.preflightOk ? 'between stages' : 'preflight';
  let inFlight = null;
  try {
    const open = new Map();
    for (const line of readFileSync(join(runs, id, 'commands.jsonl'), 'utf8').split('\n')) {
      try {
        const e = JSON.parse(line);
        if (e.event === 'start') open.set(e.id, e.argv.slice(0, 3).join(' '));
        else if (e.id) open.delete(e.id);
      } catch {
        // torn line
      }
    }
    inFlight = [...open.values()].pop() ?? null;
  } catch {
    // no log yet
  }
  return { phase, inFlight };
}

/**
 * The invariants after a kill. `before` are the refs at the start of the killed run, `upstream` the
 * upstream tip it was absorbing. Returns the violations (empty = all held).
 */
export function checkInvariants(fork, before, upstream) {
  const { fixture, queue } = fork;
  const violations = [];
  const obs = observe(fork);
  const originTrunk = rev(obs, `refs/origin/${fixture.trunk}`);
  const originMirror = rev(obs, `refs/origin/${fixture.mirror}`);
  const localTrunk = rev(obs, `refs/local/${fixture.trunk}`);
  // The fork remote: each ref old, or completely new — never a half state.
  if (originMirror !== before.originMirror && originMirror !== upstream) violations.push(`fork mirror is ${originMirror}: neither the old ${before.originMirror} nor upstream ${upstream}`);
  if (originTrunk !== before.originTrunk) {
    const complete = isAncestor(obs, upstream, originTrunk) && sameSet(patchIds(obs, `${upstream}..${originTrunk}`), queue);
    if (!complete) violations.push(`fork trunk is ${originTrunk}: neither the old ${before.originTrunk} nor the whole queue on upstream ${upstream}`);
  }
  // No patch lost: each is on the fork remote's trunk or on the local trunk.
  // Patches are the commits of a trunk not on upstream (any upstream tip: the run may be behind).
  const onRemote = new Set(patchIds(obs, originTrunk, '--not', '--glob=refs/upstream/*'));
  const onLocal = new Set(localTrunk ? patchIds(obs, localTrunk, '--not', '--glob=refs/upstream/*') : []);
  for (const id of queue) if (!onRemote.has(id) && !onLocal.has(id)) violations.push(`patch ${id.slice(0, 12)} is lost (neither on the fork remote's trunk nor the local trunk)`);
  return violations;
}

const sameSet = (a, b) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

/** After a run that exited 0: the day is done and nothing is left behind. */
function checkSettled(fork, upstream) {
  const { fixture, queue } = fork;
  const problems = [];
  const obs = observe(fork);
  const originTrunk = rev(obs, `refs/origin/${fixture.trunk}`);
  if (rev(obs, `refs/local/${fixture.trunk}`) !== originTrunk) problems.push('local trunk differs from the fork remote trunk');
  if (!isAncestor(obs, upstream, originTrunk) || !sameSet(patchIds(obs, `${upstream}..${originTrunk}`), queue)) problems.push('fork trunk is not the queue on upstream');
  if (rev(obs, `refs/origin/${fixture.mirror}`) !== upstream) problems.push('fork mirror is not upstream');
  if (git(fixture.clone, 'status', '--porcelain') !== '') problems.push(`tree not clean: ${git(fixture.clone, 'status', '--porcelain')}`);
  if (existsSync(join(fixture.clone, '.scratch', 'locks', 'rebase-daily.lock'))) problems.push('lock left behind');
  if (git(fixture.clone, 'branch', '--list', 'rebase-daily/*') !== '') problems.push('temporary branches left');
  if (/\.scratch/.test(git(fixture.clone, 'worktree', 'list'))) problems.push('temporary worktrees left');
  return problems;
}

/**
 * One trial: a new upstream commit, a run killed at `delayMs` (or once parked in the pre-push hook
 * when `parked` in a hook), the invariants, then reruns of `daily` — no file deleted, no git run by hand —
 * until one exits 0 (at most `maxReruns`).
 */
export async function crashTrial(fork, { delayMs, parked = null, mode = 'tree', maxReruns = 3, trialId = `${Date.now()}` }) {
  const { fixture } = fork;
  fork.day++;
  const upstream = fixture.advanceUpstream([{ files: { [`up/${fork.day}.txt`]: `upstream ${fork.day}\n` }, message: `upstream: day ${fork.day}` }]);
  const before = { originTrunk: rev(fixture.originBare, `refs/heads/${fixture.trunk}`), originMirror: rev(fixture.originBare, `refs/heads/${fixture.mirror}`) };
  // Parked kills: a hook signals that the run reached the moment, then sleeps until the kill.
  // `push`: inside `git push` (pre-push). `ref-update`: inside the transaction that moves the local
  // trunk, while git holds `refs/heads/<trunk>.lock` (reference-transaction, state "prepared") —
  // the kill leaves git's lock file behind for the next run to recover.
  const hookName = parked === 'push' ? 'pre-push' : 'reference-transaction';
  const hook = join(fixture.clone, '.git', 'hooks', hookName);
  const ready = join(fixture.root, `${hookName}-${trialId}.ready`);
  if (parked === 'push') writeFileSync(hook, `#!/bin/sh\ntouch "${ready}"\nsleep 60\n`);
  if (parked === 'ref-update') writeFileSync(hook, `#!/bin/sh\n[ "$1" = prepared ] || exit 0\ngrep -q " refs/heads/${fixture.trunk}$" || exit 0\ntouch "${ready}"\nsleep 60\n`);
  if (parked) chmodSync(hook, 0o755);
  const isParked = parked !== null;
  const token = `${process.pid}-${trialId}`;
  const known = runIds(fork);
  const started = Date.now();
  const run = spawnDaily(fork, token);
  let exited = false;
  run.done.then(() => (exited = true));
  if (isParked) {
    while (!existsSync(ready) && !exited && Date.now() - started < 120_000) await sleep(10);
  } else {
    await Promise.race([sleep(delayMs), run.done]);
  }
  const trial = { trialId, engine: fork.engine, parked, mode, delayMs: isParked ? Date.now() - started : delayMs, killed: !exited, phase: null, inFlight: null, orphans: [], violations: [], reruns: [], recovered: false, settled: [] };
  if (!exited) {
    const where = killedAt(fork, known);
    trial.phase = parked === 'push' ? 'apply (in the push)' : parked === 'ref-update' ? 'apply (in the trunk ref update)' : where.phase;
    trial.inFlight = where.inFlight;
    if (mode === 'tree') {
      // Everything at once, as a cgroup kill or `kill -9 -<pgid>` plus strays would.
      try {
        process.kill(-run.child.pid, 'SIGKILL');
      } catch {
        // gone
      }
      killAll(token);
    } else {
      // The CLI alone (an OOM kill, `kill -9 <pid>`): its children must die with it by themselves.
      process.kill(run.child.pid, 'SIGKILL');
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline && markedProcesses(token).some((p) => p.pid !== run.child.pid)) await sleep(20);
      trial.orphans = markedProcesses(token).filter((p) => p.pid !== run.child.pid);
      killAll(token);
    }
  }
  await run.done;
  if (isParked) rmSync(hook, { force: true });
  trial.violations = checkInvariants(fork, before, upstream);
  for (let i = 0; i < maxReruns; i++) {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [binPath, 'daily', '--config', fork.configPath, '--json'], { encoding: 'utf8', timeout: 180_000, env: { ...process.env } });
    // A rerun that exits 0 ran a whole day: the machine's current pace, for the next kill's moment.
    if (r.status === 0) fork.runMs = Date.now() - t0;
    trial.reruns.push({ code: r.status, errors: errorCodes(r.stdout), leftovers: leftoversOf(r.stdout) });
    if (r.status === 0) {
      trial.recovered = true;
      trial.settled = checkSettled(fork, upstream);
      break;
    }
  }
  return trial;
}

/** Run `kills` trials split over the engines; on each, a kill in the push, one in the trunk's ref update, then random ones. */
export async function crashInjection({ kills = 8, engines = ['memory', 'worktree'], seed = Date.now() % 2 ** 31, maxReruns = 3, onTrial = () => {} } = {}) {
  const random = prng(seed);
  const started = Date.now();
  const trials = [];
  const forks = [];
  try {
    for (const [e, engine] of engines.entries()) {
      const fork = createCrashFork(engine);
      forks.push(fork);
      // One clean day measures how long a run takes on this machine now: kills land across it.
      const t0 = Date.now();
      const clean = spawnSync(process.execPath, [binPath, 'daily', '--config', fork.configPath, '--json'], { encoding: 'utf8', timeout: 180_000 });
      if (clean.status !== 0) throw new Error(`the clean calibration run failed (exit ${clean.status}): ${clean.stderr.slice(-2000)}`);
      fork.runMs = Date.now() - t0;
      const share = Math.floor(kills / engines.length) + (e < kills % engines.length ? 1 : 0);
      for (let i = 0; i < share; i++) {
        const parked = i === 0 ? 'push' : i === 1 ? 'ref-update' : null;
        // The push kill kills the CLI alone: the case where an orphaned `git push` used to land later.
        const runMs = fork.runMs;
        const trial = await crashTrial(fork, { parked, delayMs: Math.round(random() * runMs), mode: i % 2 === 0 ? 'cli-only' : 'tree', maxReruns, trialId: `${engine}-${i}` });
        trial.runMs = runMs;
        trials.push(trial);
        onTrial(trial);
      }
    }
  } finally {
    for (const f of forks) if (!process.env.CRASH_KEEP) f.fixture.cleanup();
  }
  return { seed, wallMs: Date.now() - started, trials, summary: summarize(trials) };
}

export function summarize(trials) {
  const count = (f) => trials.filter(f).length;
  const phases = {};
  for (const t of trials) phases[t.phase ?? 'finished before the kill'] = (phases[t.phase ?? 'finished before the kill'] ?? 0) + 1;
  const reruns = {};
  for (const t of trials.filter((x) => x.recovered)) reruns[t.reruns.length] = (reruns[t.reruns.length] ?? 0) + 1;
  return {
    trials: trials.length,
    killed: count((t) => t.killed),
    phases,
    halfStatesOrLostPatches: count((t) => t.violations.length > 0),
    orphanedChildren: count((t) => t.orphans.length > 0),
    recovered: count((t) => t.recovered && t.settled.length === 0),
    recoveredByRuns: reruns,
    lockTakenOnRerun: count((t) => t.reruns.some((r) => r.code === 15)),
    gitLockFilesRemoved: trials.reduce((n, t) => n + t.reruns.flatMap((r) => r.leftovers).filter((l) => l.startsWith('git lock file')).length, 0),
    inFlightCommandsReported: trials.reduce((n, t) => n + t.reruns.flatMap((r) => r.leftovers).filter((l) => / was killed during /.test(l)).length, 0),
    notRecovered: trials.filter((t) => !t.recovered || t.settled.length > 0).map((t) => ({ trialId: t.trialId, phase: t.phase, inFlight: t.inFlight, reruns: t.reruns, settled: t.settled })),
  };
}
