import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import type { ResolvedConfig } from '../config/config.js';
import { errors, type RebaseDailyError } from '../errors/errors.js';
import { holderLiveness } from '../process/holder.js';
import { runPaths } from '../config/paths.js';
import { shellQuote, type Runner } from '../process/process.js';
import type { RunState } from '../contracts/run-state.js';

/**
 * git's own lock files (`index.lock`, `packed-refs.lock`, `refs/heads/x.lock`, a worktree's
 * `index.lock`, …) under a git dir, skipping the object store. A git killed mid-write leaves them,
 * and every later git command that needs the same lock fails until they are gone.
 */
export function findGitLockFiles(commonDir: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      if (depth === 0 && (name === 'objects' || name === 'lfs')) continue;
      let isDir = false;
      try {
        isDir = statSync(path).isDirectory();
      } catch {
        continue;
      }
      if (isDir) {
        if (depth < 12) walk(path, depth + 1);
      } else if (name.endsWith('.lock')) found.push(path);
    }
  };
  walk(commonDir, 0);
  return found.sort();
}

/** A command a dead run started and never saw end (its start line has no end line). */
export interface UnfinishedCommand {
  runId: string;
  at: string;
  argv: string[];
  cwd: string;
}

/** Start lines of a JSONL command log without a matching end line (pure; see CommandLog.start). */
export function unfinishedCommands(logText: string, runId: string): UnfinishedCommand[] {
  const started = new Map<string, UnfinishedCommand>();
  for (const line of logText.split('\n')) {
    if (!line.trim()) continue;
    let e: { id?: string; event?: string; at?: string; argv?: string[]; cwd?: string; exitCode?: number };
    try {
      e = JSON.parse(line);
    } catch {
      continue; // a line torn by the kill
    }
    if (!e.id) continue;
    if (e.event === 'start' && Array.isArray(e.argv) && e.at && e.cwd) started.set(e.id, { runId, at: e.at, argv: e.argv, cwd: e.cwd });
    else if (typeof e.exitCode === 'number') started.delete(e.id);
  }
  return [...started.values()];
}

/**
 * The runs of this tool that died unfinished since the last one that finished: newest first, each
 * one that took the lock, never finished, and whose process is gone. Runs refused by the lock are
 * passed over (they ran no git command that takes git's locks).
 */
export function deadUnfinishedRuns(scratchPath: string, ownRunId: string, limit = 20): RunState[] {
  const dir = runPaths(scratchPath).runsDir;
  if (!existsSync(dir)) return [];
  const dead: RunState[] = [];
  for (const id of readdirSync(dir).sort().reverse().slice(0, limit + 1)) {
    if (id === ownRunId) continue;
    let state: RunState;
    try {
      state = JSON.parse(readFileSync(join(dir, id, 'state.json'), 'utf8')) as RunState;
    } catch {
      continue; // a state torn by the kill, or none yet: nothing to attribute
    }
    if (state.finishedAt) break;
    if (!state.lock?.acquired) continue;
    if (holderLiveness({ hostname: state.host, pid: state.pid }).alive !== false) break;
    dead.push(state);
  }
  return dead;
}

/** A git process whose working directory is inside one of `roots`, found in /proc. */
export interface GitProcess {
  pid: number;
  cwd: string;
  argv: string[];
}

export function gitProcessesIn(roots: string[]): GitProcess[] {
  if (!existsSync('/proc')) return [];
  const inside = (p: string) => roots.some((r) => p === r || p.startsWith(r.endsWith(sep) ? r : `${r}${sep}`));
  const out: GitProcess[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (!argv.length || !/^git(-|$)/.test(basename(argv[0]))) continue;
      const cwd = readlinkSync(`/proc/${name}/cwd`);
      if (inside(cwd) || argv.some((a) => roots.some((r) => a.startsWith(r)))) out.push({ pid: Number(name), cwd, argv });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return out;
}

export interface GitLockRecovery {
  /** One line per lock file removed (for the report's leftovers). */
  recovered: string[];
  /** Commands the dead runs left in flight (a push that may or may not have landed). */
  inFlight: string[];
  /** Set when a lock file is not provably a dead run's: nothing was removed for it. */
  refusal: RebaseDailyError | null;
}

/**
 * At the start of a run, with the tool's lock held and before anything is written: remove the git
 * lock files that a killed run of this tool left behind, refuse on any other.
 *
 * A lock file is the dead run's when that run (see deadUnfinishedRuns) has a git or gt command in
 * this repo (or one of its temporary worktrees) that started no later than the file was written and
 * never ended, and no git process runs in the repo now. Any other lock file may be a live git's or
 * the user's: the run stops with its exact path and the fix, and removes nothing.
 */
export async function recoverGitLocks(run: Runner, config: ResolvedConfig, ownRunId: string): Promise<GitLockRecovery> {
  const result: GitLockRecovery = { recovered: [], inFlight: [], refusal: null };
  const repo = resolve(config.repoPath);
  const common = await run('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: repo });
  if (common.exitCode !== 0) return result;
  const commonDir = common.stdout.trim();
  const dead = deadUnfinishedRuns(config.scratchPath, ownRunId);
  const worktrees = resolve(runPaths(config.scratchPath).worktrees);
  const ours = (cwd: string) => [repo, worktrees, commonDir].some((r) => resolve(cwd) === r || resolve(cwd).startsWith(`${r}${sep}`));
  const killed: UnfinishedCommand[] = [];
  for (const state of dead) {
    if (!state.commandLog || !existsSync(state.commandLog)) continue;
    const open = unfinishedCommands(readFileSync(state.commandLog, 'utf8'), state.runId);
    // git itself, gt (which runs git), or git behind a wrapper (`stdbuf -o0 git merge-tree …`).
    killed.push(...open.filter((c) => c.argv.slice(0, 3).some((a) => ['git', 'gt'].includes(basename(a))) && ours(c.cwd)));
    result.inFlight.push(...open.map((c) => `run ${c.runId} was killed during \`${c.argv.map(shellQuote).join(' ')}\` (started ${c.at}, no recorded end)`));
  }
  const locks = findGitLockFiles(commonDir);
  if (!locks.length) return result;
  const busy = gitProcessesIn([repo, commonDir, worktrees]);
  const unexplained: string[] = [];
  for (const lock of locks) {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(lock).mtimeMs;
    } catch {
      continue; // released meanwhile
    }
    // The file's mtime is its creation (git writes a lock once, then renames it away); a second of
    // slack for file systems with coarse timestamps.
    const owner = killed.find((c) => Date.parse(c.at) - 1_000 <= mtimeMs);
    if (!owner || busy.length) {
      unexplained.push(lock);
      continue;
    }
    rmSync(lock, { force: true });
    result.recovered.push(`git lock file ${lock} left by \`${owner.argv.map(shellQuote).join(' ')}\` of run ${owner.runId}, killed with it (removed)`);
  }
  if (unexplained.length) {
    const first = unexplained[0];
    const why = busy.length
      ? `git process ${busy[0].pid} (\`${busy[0].argv.slice(0, 4).join(' ')}\`) is running in ${busy[0].cwd}: wait for it to end, then rerun`
      : `it was not left by a run of rebase-daily (no killed run of this tool had a git command in this repo then); check that no git runs in ${repo}, then \`rm ${shellQuote(first)}\` and rerun`;
    result.refusal = errors.gitLock(first, unexplained.length, why);
  }
  return result;
}

/** Commands of one command log that ended stopped by the run (interrupt, timeout) or by a signal: start time, argv, cwd. */
export function stoppedCommands(logText: string, runId: string): UnfinishedCommand[] {
  const started = new Map<string, UnfinishedCommand>();
  const stopped: UnfinishedCommand[] = [];
  for (const line of logText.split('\n')) {
    if (!line.trim()) continue;
    let e: { id?: string; event?: string; at?: string; argv?: string[]; cwd?: string; exitCode?: number; signal?: string; timedOut?: boolean; stderr?: string };
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    if (!e.id) continue;
    if (e.event === 'start' && Array.isArray(e.argv) && e.at && e.cwd) started.set(e.id, { runId, at: e.at, argv: e.argv, cwd: e.cwd });
    else if (typeof e.exitCode === 'number') {
      const start = started.get(e.id);
      started.delete(e.id);
      if (start && (e.timedOut || e.signal || /\(cancelled: run interrupted\)/.test(e.stderr ?? ''))) stopped.push(start);
    }
  }
  return stopped;
}

/**
 * At the end of a run that stopped its own git commands (Ctrl-C, a timeout): a git lock file one of
 * them left — written after it started, no git process running in the repo now — is the run's own
 * leftover, removed before the cleanup needs the index and listed for the report. Any other lock
 * file is left alone (the cleanup then reports what it could not do). Never throws.
 */
export async function removeOwnGitLocks(run: Runner, config: ResolvedConfig, state: Pick<RunState, 'runId' | 'commandLog'>): Promise<string[]> {
  try {
    if (!state.commandLog || !existsSync(state.commandLog)) return [];
    const repo = resolve(config.repoPath);
    const common = await run('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: repo });
    if (common.exitCode !== 0) return [];
    const commonDir = common.stdout.trim();
    const worktrees = resolve(runPaths(config.scratchPath).worktrees);
    const ours = (cwd: string) => [repo, worktrees, commonDir].some((r) => resolve(cwd) === r || resolve(cwd).startsWith(`${r}${sep}`));
    const stopped = stoppedCommands(readFileSync(state.commandLog, 'utf8'), state.runId).filter((c) => c.argv.slice(0, 3).some((a) => ['git', 'gt'].includes(basename(a))) && ours(c.cwd));
    if (!stopped.length) return [];
    const locks = findGitLockFiles(commonDir);
    if (!locks.length || gitProcessesIn([repo, commonDir, worktrees]).length) return [];
    const removed: string[] = [];
    for (const lock of locks) {
      let mtimeMs: number;
      try {
        mtimeMs = statSync(lock).mtimeMs;
      } catch {
        continue;
      }
      const owner = stopped.find((c) => Date.parse(c.at) - 1_000 <= mtimeMs);
      if (!owner) continue;
      rmSync(lock, { force: true });
      removed.push(`removed git lock file ${lock} left by this run's \`${owner.argv.map(shellQuote).join(' ')}\`, stopped by the run`);
    }
    return removed;
  } catch {
    return [];
  }
}
