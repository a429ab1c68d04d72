import type { Runner } from '@rebase-daily/core';
import type { MergeConflictMessage } from './merge-tree.js';
import { repoObjectInfo, withTemporaryObjectDir } from './object-dir.js';
import { type EngineCallOptions, listQueue, type Queue } from './queue.js';
import type { ReplayResult } from './replay.js';
import { checkQueue, patchPaths, upstreamChanges } from './replay-check.js';
import { openMergeSession } from './merge-session.js';

export interface UpstreamCommitRef {
  sha: string;
  subject: string;
  /** Position among the first-parent upstream commits after the base (0 = oldest); -1 = the base. */
  index: number;
}

export interface ConflictLocalization {
  /** The queue replays cleanly onto the target: nothing to localize. */
  clean: boolean;
  /** The queue's current base (merge-base of trunk and target). */
  base: string;
  target: string;
  /** First-parent upstream commits between base and target. */
  upstreamCount: number;
  /** Replays performed (at most ⌈log2 n⌉ + 1). */
  replays: number;
  /** merge-tree calls those replays needed (runs of patches upstream did not touch are folded). */
  merges?: number;
  /** Newest upstream commit onto which the whole queue still replays cleanly (the base when none). */
  lastClean?: UpstreamCommitRef;
  /** The first upstream commit onto which the queue no longer replays. */
  firstBreaking?: UpstreamCommitRef;
  /** The queue commit that conflicts there, and on which files. */
  patch?: { sha: string; subject: string; index: number };
  files?: string[];
  conflicts?: MergeConflictMessage[];
  /** All upstream commits in base..target that touch the conflicted files (newest first). */
  touching?: { sha: string; subject: string }[];
}

export interface LocalizeOptions extends EngineCallOptions {
  trunk: string;
  target: string;
  /** The replay onto `target` when the caller already has it (saves one replay). */
  targetResult?: ReplayResult;
  /** Queue commits left out of every replay (superseded version bumps), as verify and apply leave them out. */
  skip?: ReadonlySet<string>;
}

/** Parse `git log --format=%H%x00%T%x00%s` output. */
export function parseMainline(stdout: string): { sha: string; tree: string; subject: string }[] {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [sha, tree, subject] = l.split('\0');
      return { sha, tree, subject };
    });
}

type MainlineCommit = ReturnType<typeof parseMainline>[number];

/**
 * Find where the queue stops replaying: bisect the first-parent upstream commits between the queue's
 * base and `target` for the newest one the whole queue replays onto cleanly, and the first that
 * breaks it (which patch, which files, and which other upstream commits touched those files).
 * Assumes, as bisection does, that once broken the queue stays broken. All replays happen in a
 * temporary object directory.
 */
export async function localizeConflict(run: Runner, repo: string, options: LocalizeOptions): Promise<ConflictLocalization> {
  const { base, mainline } = await readMainline(run, repo, options);
  const n = mainline.length;
  const target = n ? mainline[n - 1].sha : base;
  return withTemporaryObjectDir(
    run,
    repo,
    async (objectDir, env) => {
      const prober = await openProber(run, repo, options, { base, mainline, objectDir, env });
      try {
        const atTarget = options.targetResult ?? (n ? await prober.probe(n - 1) : undefined);
        if (!atTarget || atTarget.ok) return { clean: true, base, target, upstreamCount: n, replays: prober.replays() };
        const { lastClean, firstBreaking, failure } = await bisect(prober.probe, n, atTarget);
        const ref = (index: number): UpstreamCommitRef => (index < 0 ? { sha: base, subject: '(current base)', index } : { sha: mainline[index].sha, subject: mainline[index].subject, index });
        return {
          clean: false,
          base,
          target,
          upstreamCount: n,
          replays: prober.replays(),
          merges: prober.merges(),
          lastClean: ref(lastClean),
          firstBreaking: ref(firstBreaking),
          patch: { sha: failure.commit, subject: failure.subject, index: failure.failedIndex },
          files: failure.files,
          conflicts: failure.conflicts,
          touching: await touchingCommits(run, repo, options, base, target, failure.files),
        };
      } finally {
        await prober.close();
      }
    },
    { env: options.env, timeoutMs: options.timeoutMs },
  );
}

/** The queue's base (merge-base of trunk and target) and the first-parent upstream commits after it, oldest first. */
async function readMainline(run: Runner, repo: string, options: LocalizeOptions): Promise<{ base: string; mainline: MainlineCommit[] }> {
  const call = { cwd: repo, env: options.env, timeoutMs: options.timeoutMs };
  const mb = await run('git', ['merge-base', options.trunk, options.target], call);
  if (mb.exitCode !== 0) throw new Error(`no merge base between ${options.trunk} and ${options.target}`);
  const base = mb.stdout.trim();
  const log = await run('git', ['log', '--first-parent', '--reverse', '--format=%H%x00%T%x00%s', `${base}..${options.target}`], call);
  if (log.exitCode !== 0) throw new Error(`git log ${base}..${options.target} failed (exit ${log.exitCode}): ${log.stderr.trim()}`);
  return { base, mainline: parseMainline(log.stdout) };
}

type Failure = Extract<ReplayResult, { ok: false }>;

/**
 * Bisect for the newest index the queue replays onto (-1: the base) and the first that breaks it,
 * knowing the last index (n - 1) breaks with `atTarget`.
 */
export async function bisect(probe: (index: number) => Promise<ReplayResult>, n: number, atTarget: Failure): Promise<{ lastClean: number; firstBreaking: number; failure: Failure }> {
  let lo = -1; // the base: the queue sits there already
  let hi = n - 1;
  let failure = atTarget;
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const r = await probe(mid);
    if (r.ok) lo = mid;
    else {
      hi = mid;
      failure = r;
    }
  }
  return { lastClean: lo, firstBreaking: hi, failure };
}

/**
 * A replay of the queue onto one upstream commit, in the temporary object directory, sharing one
 * merge process, one diff of every commit's paths and the queue listing across probes.
 */
async function openProber(
  run: Runner,
  repo: string,
  options: LocalizeOptions,
  at: { base: string; mainline: MainlineCommit[]; objectDir: string; env: NodeJS.ProcessEnv },
): Promise<{ probe: (index: number) => Promise<ReplayResult>; replays: () => number; merges: () => number; close: () => Promise<void> }> {
  const { base, mainline, objectDir, env } = at;
  const n = mainline.length;
  const objectInfo = await repoObjectInfo(run, repo, { env: options.env });
  const committerRun = await run('git', ['var', 'GIT_COMMITTER_IDENT'], { cwd: repo, env: options.env, timeoutMs: options.timeoutMs });
  const committer = committerRun.stdout.trim() || 'rebase-daily <rebase-daily@localhost> 0 +0000';
  // Skipped commits leave the list; the commit after one is then not linear, so checkQueue merges it exactly.
  const skip = options.skip;
  const listed = async (upstream: string): Promise<Queue> => {
    const q = await listQueue(run, repo, upstream, options.trunk, { ...options, env });
    return skip?.size ? { ...q, commits: q.commits.filter((c) => !skip.has(c.sha)) } : q;
  };
  const targetQueue = await listed(n ? mainline[n - 1].sha : base);
  // Patches already upstream at some commit are upstream at every later one; when none are, the
  // queue is the same for every probe and is listed once. Otherwise each probe lists its own.
  const queueFor = async (index: number): Promise<Queue> => (targetQueue.alreadyUpstream.length === 0 || index === n - 1 ? targetQueue : listed(mainline[index].sha));
  // What each upstream commit (against the previous first-parent commit) and each queue commit
  // changes, in one diff-tree call: lets a probe skip merges whose outcome is certain.
  const diffInput = [...mainline.map((m, i) => `${m.sha} ${i ? mainline[i - 1].sha : base}`), ...targetQueue.commits.map((c) => c.sha)];
  const paths = await patchPaths(run, repo, diffInput, { ...options, env });
  const upstreamPathsUpTo = (index: number) => upstreamChanges(mainline.slice(0, index + 1).map((m) => paths.get(m.sha) ?? []));
  let replays = 0;
  let merges = 0;
  // One merge process for all probes (started on the first merge a probe needs).
  const session = openMergeSession(run, repo, { env, timeoutMs: options.timeoutMs });
  const probe = async (index: number): Promise<ReplayResult> => {
    replays++;
    const queue = await queueFor(index);
    const missing = queue.commits.filter((c) => !paths.has(c.sha)).map((c) => c.sha);
    if (missing.length) for (const [k, v] of await patchPaths(run, repo, missing, { ...options, env })) paths.set(k, v);
    const r = await checkQueue(run, repo, {
      onto: mainline[index].sha,
      ontoTree: mainline[index].tree,
      base,
      commits: queue.commits,
      upstreamPaths: upstreamPathsUpTo(index),
      patches: paths,
      objectDir,
      env,
      objectInfo,
      committer,
      session,
      timeoutMs: options.timeoutMs,
    });
    merges += r.merges;
    if (r.ok) return { ok: true, onto: mainline[index].sha, newTip: '', newTree: '', commits: [], alreadyUpstream: queue.alreadyUpstream };
    return { ...r, commits: [], alreadyUpstream: queue.alreadyUpstream };
  };
  return { probe, replays: () => replays, merges: () => merges, close: () => session.close() };
}

/** Every upstream commit in base..target that touches the conflicted files (newest first). */
async function touchingCommits(run: Runner, repo: string, options: LocalizeOptions, base: string, target: string, files: string[]): Promise<{ sha: string; subject: string }[]> {
  if (!files.length) return [];
  const r = await run('git', ['log', '--format=%H%x00%s', `${base}..${target}`, '--', ...files], { cwd: repo, env: options.env, timeoutMs: options.timeoutMs });
  return r.exitCode === 0 ? r.stdout.split('\n').filter(Boolean).map((l) => ({ sha: l.split('\0')[0], subject: l.split('\0')[1] ?? '' })) : [];
}
