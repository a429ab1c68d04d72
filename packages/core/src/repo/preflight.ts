import type { ResolvedConfig } from '../config/config.js';
import { errors } from '../errors/errors.js';
import { currentBranch, gitDir, operationCommands, operationInProgress, remoteExists, revParse, statusPorcelain } from '../process/git-basics.js';
import { combineConfigErrors, configBranchProblems, knownBranchesFromRefs } from './repo-checks.js';
import type { Runner } from '../process/process.js';
import { assertPushUrlsSafe } from '../refs/push-urls.js';
import type { ShaSet } from '../contracts/run-state.js';

export interface PreflightResult {
  startBranch: string | null;
  startHead: string | null;
  /** After the fetch: what the stages work from. */
  shas: ShaSet;
  /** Before the fetch: the remote-tracking refs as this run found them. */
  shasBeforeFetch: ShaSet;
  /** How far the fetch moved the upstream remote-tracking ref (null when it did not exist before). */
  upstreamMoved: { from: string; to: string; count: number } | null;
}

/** Refs rebase-daily reads, from config. */
export function refNames(config: ResolvedConfig) {
  const { fork, upstream } = config.remotes;
  return {
    upstream: `refs/remotes/${upstream}/${config.upstreamBranch}`,
    mirror: `refs/heads/${config.mirror}`,
    trunk: `refs/heads/${config.trunk}`,
    forkTrunk: `refs/remotes/${fork}/${config.trunk}`,
    forkMirror: `refs/remotes/${fork}/${config.mirror}`,
  };
}

export async function readShas(run: Runner, config: ResolvedConfig): Promise<ShaSet> {
  const refs = refNames(config);
  const cwd = config.repoPath;
  const [upstream, mirror, trunk, forkTrunk, forkMirror] = await Promise.all([
    revParse(run, cwd, refs.upstream),
    revParse(run, cwd, refs.mirror),
    revParse(run, cwd, refs.trunk),
    revParse(run, cwd, refs.forkTrunk),
    revParse(run, cwd, refs.forkMirror),
  ]);
  return { upstream, mirror, trunk, forkTrunk, forkMirror };
}

/**
 * Checks that change nothing (repo, no operation in progress, clean tree, remotes), then fetches
 * both remotes, then checks the branches the config names. Throws a RebaseDailyError naming the fix.
 */
export async function preflight(run: Runner, config: ResolvedConfig, options: { fetch?: boolean; timeoutMs?: number } = {}): Promise<PreflightResult> {
  const cwd = config.repoPath;
  const dir = await gitDir(run, cwd).catch(() => null);
  if (!dir) throw errors.notARepo(cwd);
  // The session refused a foreign operation before writing anything and cleaned a crashed run's
  // own; one still here is one that could not be cleaned: the user's to finish or abort.
  const op = operationInProgress(dir);
  if (op) throw errors.operationInProgress(op, cwd, operationCommands(op, cwd));
  const dirty = await statusPorcelain(run, cwd);
  if (dirty.length) throw errors.dirtyTree(dirty.map((l) => l.slice(3)), cwd);
  for (const [name, field] of [
    [config.remotes.fork, 'remotes.fork'],
    [config.remotes.upstream, 'remotes.upstream'],
  ] as const) {
    if (!(await remoteExists(run, cwd, name))) throw errors.remoteMissing(name, field);
  }
  await assertPushUrlsSafe(run, config);
  const startBranch = await currentBranch(run, cwd);
  const startHead = await revParse(run, cwd, 'HEAD');
  const shasBeforeFetch = await readShas(run, config);
  if (options.fetch !== false) {
    for (const remote of [config.remotes.upstream, config.remotes.fork]) {
      // --prune so a branch deleted on the remote is not mistaken for a live lease target.
      const r = await run('git', ['fetch', '--prune', '--quiet', remote], { cwd, timeoutMs: options.timeoutMs ?? 300_000 });
      if (r.exitCode !== 0) throw errors.fetchFailed(remote, r.timedOut ? 'timed out' : r.stderr);
    }
  }
  // The branches the config names must exist: a typo must not become a new branch that the run
  // fast-forwards and pushes. Checked here, after the fetch and before any stage: the fetch writes
  // only remote-tracking refs (git's copy of the remotes, which --prune just made exact), never a
  // local branch, a worktree or a remote; no extra `ls-remote` round trip is needed for the truth.
  const problem = combineConfigErrors(configBranchProblems(config, await knownBranchesFromRefs(run, config)));
  if (problem) throw problem;
  // It exists on the fork remote only: the run works on the local branch, which is the user's to create.
  if (!(await revParse(run, cwd, `refs/heads/${config.trunk}`))) throw errors.branchMissing(config.trunk, 'trunk');
  const shas = await readShas(run, config);
  if (!shas.upstream)
    throw errors.upstreamMissing(config.remotes.upstream, config.upstreamBranch);
  const from = shasBeforeFetch.upstream;
  const moved = from ? await run('git', ['rev-list', '--count', `${from}..${shas.upstream}`], { cwd }) : null;
  const upstreamMoved = from && moved?.exitCode === 0 ? { from, to: shas.upstream, count: Number.parseInt(moved.stdout.trim(), 10) } : null;
  return { startBranch, startHead, shas, shasBeforeFetch, upstreamMoved };
}
