import type { Runner } from '@rebase-daily/core';
import { commitBody, writeLooseObject } from './commit-object.js';
import type { parseMergeTree } from './merge-tree.js';
import { type MergeSession, openMergeSession } from './merge-session.js';
import type { RepoObjectInfo } from './object-dir.js';
import type { EngineCallOptions, QueueCommit } from './queue.js';
import { type ReplayConflict, subjectOf } from './replay.js';
import { isSha } from '@rebase-daily/core';

/** Paths a commit changes against its first parent, with their status (`M`, `A`, `D`, ...). */
export type PatchPaths = Map<string, { status: string; path: string }[]>;

/** Parse `git diff-tree --stdin -r --no-renames --name-status -z` output into per-commit path lists. */
export function parseDiffTreeStdin(stdout: string): PatchPaths {
  const map: PatchPaths = new Map();
  const fields = stdout.split('\0');
  let current: { status: string; path: string }[] | undefined;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i].replace(/^\n/, '');
    if (!f) continue;
    if (isSha(f)) {
      current = [];
      map.set(f, current);
    } else if (current && /^[A-Z]\d*$/.test(f) && i + 1 < fields.length) current.push({ status: f[0], path: fields[++i] });
  }
  return map;
}

/** What every queue commit changes (one `git diff-tree --stdin`). */
export async function patchPaths(run: Runner, repo: string, shas: readonly string[], options: EngineCallOptions = {}): Promise<PatchPaths> {
  if (shas.length === 0) return new Map();
  const r = await run('git', ['diff-tree', '--stdin', '-r', '--no-renames', '--name-status', '-z'], { cwd: repo, env: options.env, timeoutMs: options.timeoutMs, input: `${shas.join('\n')}\n`, raw: true });
  if (r.exitCode !== 0) throw new Error(`git diff-tree --stdin failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  return parseDiffTreeStdin(r.stdout);
}

/**
 * Every path upstream changed, with `M` where each change seen was a modification (the path exists
 * at both ends) and `X` otherwise. Built from one or more diff-tree lists (localization passes one
 * per upstream commit), so a path is `M` only when no list added, deleted or retyped it.
 */
export function upstreamChanges(lists: Iterable<readonly { status: string; path: string }[]>): Map<string, 'M' | 'X'> {
  const map = new Map<string, 'M' | 'X'>();
  for (const list of lists) for (const { status, path } of list) map.set(path, status === 'M' && map.get(path) !== 'X' ? 'M' : 'X');
  return map;
}

/** What the check needs of a queue commit (verify lists these without reading whole commit objects). */
export type CheckCommit = Pick<QueueCommit, 'sha' | 'parents' | 'message' | 'emptyFromStart'>;

export interface CheckOptions extends EngineCallOptions {
  onto: string;
  ontoTree: string;
  /** The queue's original base: the first commit's parent. */
  base: string;
  commits: readonly CheckCommit[];
  /** Every path upstream changed between `base` and `onto` (a superset is fine), see upstreamChanges. */
  upstreamPaths: ReadonlyMap<string, 'M' | 'X'>;
  patches: PatchPaths;
  objectDir: string;
  objectInfo: RepoObjectInfo;
  committer: string;
  /** Merges go through this session when given (localization shares one across probes); else one of its own. */
  session?: MergeSession;
}

type CheckResult = { ok: true; merges: number } | (Omit<ReplayConflict, 'commits' | 'alreadyUpstream'> & { merges: number });

/**
 * Does the queue replay cleanly onto `onto`? The same merges as replayQueue, folded where the
 * outcome per path is provably the same, for linear queues (each commit's parent is the previous one):
 *
 * - A commit that only modifies files upstream did not touch (since `base`) merges cleanly and leaves
 *   every other path as it was ("certain"); a run of such commits is folded into the next merge.
 * - A commit that only modifies files, where those upstream touched were modified (not added,
 *   deleted or renamed) upstream, joins a run as well, as long as no such file is touched twice in
 *   the run. The run is then one merge: base = the parent of its first commit, theirs = its last
 *   commit. Per path, that merge sees exactly the three versions the one commit touching it would
 *   see in its own merge, and with only modifications on the queue side no rename or directory
 *   rename can pair paths differently. If the folded merge conflicts, the run is replayed commit by
 *   commit to name the failing commit and its files (the exact answer, whatever the fold said).
 * - "Upstream touched" includes the paths an earlier commit merged on its own added, deleted or
 *   retyped: there the tip can differ from the queue's version without upstream having changed the
 *   path (a queue rename carries upstream's edits of the source to the destination).
 *
 * Anything else (adds, deletes, a file touched twice, a merge in the queue) merges commit by commit.
 * Proven equal to a full replay and to `git rebase` by the parity suite.
 */
export async function checkQueue(run: Runner, repo: string, options: CheckOptions): Promise<CheckResult> {
  // The session starts its merge-tree process on the first merge only: a check may need none.
  const session = options.session ?? openMergeSession(run, repo, { env: options.env, timeoutMs: options.timeoutMs });
  try {
    return await check(options, session);
  } finally {
    if (session !== options.session) await session.close();
  }
}

async function check(options: CheckOptions, session: MergeSession): Promise<CheckResult> {
  let tipTree = options.ontoTree;
  let previous = options.base;
  // Folding rests on "the tip differs from each commit's parent only where upstream changed", which
  // holds along a linear queue from `base`. A merge in the queue (flattened by the replay) breaks it
  // for every later commit, so folding stops for good at the first non-linear commit.
  let folding = true;
  // Folded commits not merged yet; `touches`: modifies a file upstream changed.
  let pending: { index: number; c: CheckCommit; touches: boolean }[] = [];
  let pendingTouched = new Set<string>(); // upstream-changed paths the pending run modifies
  let merges = 0;
  // Paths where the tip may differ from the queue's own version although upstream did not change
  // them: whatever a commit merged on its own added, deleted or retyped (a queue rename's
  // destination receives upstream's edits of the source; a file added into a directory upstream
  // renamed lands elsewhere). Treated like paths upstream added.
  const diverged = new Set<string>();
  const mergedAlone = (c: CheckCommit) => {
    const paths = options.patches.get(c.sha);
    if (!paths) folding = false; // unknown: stop folding for good
    else for (const p of paths) if (p.status !== 'M') diverged.add(p.path);
  };
  const upstreamStatus = (path: string) => (diverged.has(path) ? 'X' : options.upstreamPaths.get(path));
  const merge = async (baseCommit: string | undefined, c: CheckCommit) => {
    merges++;
    const o = writeLooseObject(options.objectDir, 'commit', commitBody(tipTree, baseCommit ? [baseCommit] : [], options.committer, options.committer, 'rebase-daily: synthetic merge base\n'), options.objectInfo.hash);
    return session.merge(o, c.sha);
  };
  const conflict = (index: number, c: CheckCommit, r: ReturnType<typeof parseMergeTree>): CheckResult =>
    ({ ok: false as const, onto: options.onto, failedIndex: index, commit: c.sha, subject: subjectOf(c.message), files: r.files, conflicts: r.conflicts, merges });
  const reset = () => {
    pending = [];
    pendingTouched = new Set();
  };
  /**
   * Replay the pending run without the fold: every commit on its own when `each` (leaving the linear
   * part, no argument needed), else each touching commit on its own with the certain ones before it
   * folded in (to name the failing commit of a run whose folded merge conflicted).
   */
  const replayPending = async (each: boolean): Promise<CheckResult | undefined> => {
    const startTree = tipTree;
    let certain = 0; // where the certain commits not merged yet start
    for (const [k, p] of pending.entries()) {
      if (p.c.emptyFromStart || (!each && !p.touches)) continue;
      const r = await merge(pending[certain].c.parents[0], p.c);
      certain = k + 1;
      if (each) mergedAlone(p.c);
      if (!r.clean) return conflict(p.index, p.c, r);
      tipTree = r.tree;
    }
    if (!each) {
      // The folded merge conflicted, so one of these must: if none did, the folding argument failed
      // somewhere. Take no chances: replay the run commit by commit from where it started, and
      // fold no more.
      tipTree = startTree;
      folding = false;
      return replayPending(true);
    }
    // Only commits empty from the start can be left: no-ops.
    reset();
    return undefined;
  };
  /** Settle the pending run: nothing to do when it is certain, else one folded merge (or the exact replay on conflict). */
  const flush = async (): Promise<CheckResult | undefined> => {
    if (pendingTouched.size) {
      const r = await merge(pending[0].c.parents[0], pending[pending.length - 1].c);
      if (!r.clean) return replayPending(false);
      tipTree = r.tree;
    }
    reset();
    return undefined;
  };
  for (const [index, c] of options.commits.entries()) {
    const linear = c.parents.length === 1 && c.parents[0] === previous;
    previous = c.sha;
    if (!linear) folding = false;
    if (!folding && pending.length) {
      const stop = await replayPending(true);
      if (stop) return stop;
    }
    if (c.emptyFromStart) {
      if (pending.length) pending.push({ index, c, touches: false });
      continue;
    }
    const paths = options.patches.get(c.sha);
    if (folding && paths !== undefined && paths.every((p) => p.status === 'M')) {
      const touched = paths.filter((p) => upstreamStatus(p.path) !== undefined).map((p) => p.path);
      if (touched.every((p) => upstreamStatus(p) === 'M')) {
        if (touched.some((p) => pendingTouched.has(p))) {
          const stop = await flush(); // a file touched twice: the run ends before this commit
          if (stop) return stop;
        }
        pending.push({ index, c, touches: touched.length > 0 });
        for (const p of touched) pendingTouched.add(p);
        continue;
      }
    }
    if (pendingTouched.size) {
      const stop = await flush();
      if (stop) return stop;
    }
    // Fold a certain pending run into this merge: base = the parent of the run's first commit.
    const r = await merge(pending.length ? pending[0].c.parents[0] : c.parents[0], c);
    reset();
    mergedAlone(c);
    if (!r.clean) return conflict(index, c, r);
    // A commit that becomes empty leaves the tip as it is; the merged tree is the tip either way.
    tipTree = r.tree;
  }
  const stop = await flush();
  return stop ?? { ok: true, merges };
}
