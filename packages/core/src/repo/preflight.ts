import type { ResolvedConfig } from '../config/config.js';
import { errors } from '../errors/errors.js';
import { currentBranch, gitDir, operationCommands, operationInProgress, readRefs, revParse, statusPorcelain } from '../process/git-basics.js';
import { combineConfigErrors, configBranchProblems, knownBranchesFrom } from './repo-checks.js';
import type { Runner } from '../process/process.js';
import { assertPushUrlsSafe, readRemoteUrls } from '../refs/push-urls.js';
import { assertWholeHistory, trunkAheadCommits } from './whole-history.js';
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

/** The refs a run reads, in one `for-each-ref` (it was five `rev-parse` processes). */
export async function readShas(run: Runner, config: ResolvedConfig): Promise<ShaSet> {
  return shasFrom(await readRefs(run, config.repoPath, Object.values(refNames(config))), config);
}

function shasFrom(refs: Map<string, string>, config: ResolvedConfig): ShaSet {
  const names = refNames(config);
  const get = (ref: string) => refs.get(ref) ?? null;
  return { upstream: get(names.upstream), mirror: get(names.mirror), trunk: get(names.trunk), forkTrunk: get(names.forkTrunk), forkMirror: get(names.forkMirror) };
}

/** Prefixes of every ref preflight reads after the fetch: one process answers the branch checks and the SHAs. */
function preflightPrefixes(config: ResolvedConfig): string[] {
  return ['refs/heads/', `refs/remotes/${config.remotes.fork}/`, `refs/remotes/${config.remotes.upstream}/`];
}

/**
 * Checks that change nothing (repo, no operation in progress, clean tree, remotes), then fetches
 * both remotes, then checks the branches the config names. Throws a RebaseDailyError naming the fix.
 */
export async function preflight(run: Runner, config: ResolvedConfig, options: { fetch?: boolean; timeoutMs?: number; publishes?: boolean } = {}): Promise<PreflightResult> {
  const cwd = config.repoPath;
  const dir = await gitDir(run, cwd).catch(() => null);
  if (!dir) throw errors.notARepo(cwd);
  // The session refused a foreign operation before writing anything and cleaned a crashed run's
  // own; one still here is one that could not be cleaned: the user's to finish or abort.
  const op = operationInProgress(dir);
  if (op) throw errors.operationInProgress(op, cwd, operationCommands(op, cwd));
  const dirty = await statusPorcelain(run, cwd);
  if (dirty.length) throw errors.dirtyTree(dirty.map((l) => l.slice(3)), cwd);
  const urls = await readRemoteUrls(run, config);
  for (const [name, field, url] of [
    [config.remotes.fork, 'remotes.fork', urls.fork],
    [config.remotes.upstream, 'remotes.upstream', urls.upstream],
  ] as const) {
    if (!url) throw errors.remoteMissing(name, field);
  }
  await assertPushUrlsSafe(run, config, urls);
  const startBranch = await currentBranch(run, cwd);
  const startHead = await revParse(run, cwd, 'HEAD');
  const shasBeforeFetch = await readShas(run, config);
  if (options.fetch !== false) {
    // Both remotes at once: they write disjoint remote-tracking refs, and neither writes FETCH_HEAD
    // (nothing reads it; two fetches writing it at once would interleave). --prune so a branch
    // deleted on the remote is not mistaken for a live lease target. Errors in config order.
    const remotes = [config.remotes.upstream, config.remotes.fork];
    const results = await Promise.all(
      remotes.map((remote) => run('git', ['fetch', '--prune', '--quiet', '--no-write-fetch-head', remote], { cwd, timeoutMs: options.timeoutMs ?? 300_000 })),
    );
    results.forEach((r, i) => {
      if (r.exitCode !== 0) throw errors.fetchFailed(remotes[i]!, r.timedOut ? 'timed out' : r.stderr);
    });
  }
  // The branches the config names must exist: a typo must not become a new branch that the run
  // fast-forwards and pushes. Checked here, after the fetch and before any stage: the fetch writes
  // only remote-tracking refs (git's copy of the remotes, which --prune just made exact), never a
  // local branch, a worktree or a remote; no extra `ls-remote` round trip is needed for the truth.
  const refs = await readRefs(run, cwd, preflightPrefixes(config));
  const problem = combineConfigErrors(configBranchProblems(config, knownBranchesFrom(refs, config)));
  if (problem) throw problem;
  const shas = shasFrom(refs, config);
  // It exists on the fork remote only: the run works on the local branch, which is the user's to create.
  if (!shas.trunk) throw errors.branchMissing(config.trunk, 'trunk');
  if (!shas.upstream)
    throw errors.upstreamMissing(config.remotes.upstream, config.upstreamBranch);
  await assertWholeHistory(run, cwd, config.remotes.fork, [shas.trunk!, shas.upstream]);
  // Only a run that may publish: `verify` alone reads, and a run with push.enabled false pushes nothing.
  if (options.publishes !== false && config.push.enabled && config.publish.trunkSource !== 'local') {
    const ahead = await trunkAheadCommits(run, cwd, shas.trunk!, shas.forkTrunk);
    if (ahead.length) throw errors.trunkAhead(config.trunk, config.remotes.fork, ahead);
  }
  const from = shasBeforeFetch.upstream;
  const moved = from ? await run('git', ['rev-list', '--count', `${from}..${shas.upstream}`], { cwd }) : null;
  const upstreamMoved = from && moved?.exitCode === 0 ? { from, to: shas.upstream, count: Number.parseInt(moved.stdout.trim(), 10) } : null;
  return { startBranch, startHead, shas, shasBeforeFetch, upstreamMoved };
}
