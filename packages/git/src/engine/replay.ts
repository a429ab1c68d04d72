import type { Runner } from '@rebase-daily/core';
import { commitBody, writeLooseObject } from './commit-object.js';
import type { MergeConflictMessage, MergeTreeResult } from './merge-tree.js';
import { type MergeSession, openMergeSession } from './merge-session.js';
import { objectDirEnv, type RepoObjectInfo, repoObjectInfo } from './object-dir.js';
import type { EngineCallOptions, QueueCommit } from './queue.js';

export interface ReplayedCommit {
  original: string;
  /** The replayed commit; null when it was dropped. */
  new: string | null;
  tree: string | null;
  /** `empty`: the patch became empty on the new base (rebase's default `--empty=drop`). */
  dropped?: 'empty';
  /** The commit was reused as is: its parent already was the new tip (rebase fast-forwards these). */
  reused?: boolean;
}

export interface ReplayOk {
  ok: true;
  onto: string;
  newTip: string;
  newTree: string;
  commits: ReplayedCommit[];
  /** Queue commits already upstream, dropped before replay (passed through from the queue). */
  alreadyUpstream: string[];
}

export interface ReplayConflict {
  ok: false;
  onto: string;
  /** Index in the queue of the commit that does not apply. */
  failedIndex: number;
  commit: string;
  subject: string;
  /** Conflicted paths (what `git diff --diff-filter=U` would list after a stopped rebase). */
  files: string[];
  conflicts: MergeConflictMessage[];
  /** Commits replayed before the failure. */
  commits: ReplayedCommit[];
  alreadyUpstream: string[];
}

export type ReplayResult = ReplayOk | ReplayConflict;

export interface ReplayOptions extends EngineCallOptions {
  onto: string;
  commits: readonly QueueCommit[];
  alreadyUpstream?: readonly string[];
  /**
   * Write new objects here (a temporary directory, see withTemporaryObjectDir) with the repository's
   * store as alternate. Default: the repository's own object store (apply).
   */
  objectDir?: string;
  /** Committer ident (`Name <email> <secs> <tz>`); default `git var GIT_COMMITTER_IDENT` under `env`. */
  committer?: string;
  /** Already known (saves a spawn when replaying many times, as localization does). */
  objectInfo?: RepoObjectInfo;
  /** `onto`'s tree, when `onto` is a full commit SHA whose tree is known (saves a spawn). */
  ontoTree?: string;
  /**
   * Called when a commit's merge conflicts: returns the tree that settles it (lock files merged by
   * structure, see src/lockfile/), or null to stop there as rebase would.
   */
  settle?: (stop: SettleStop) => Promise<string | null>;
}

/** A conflicted merge offered to `ReplayOptions.settle`: the three sides (commits or trees) and merge-tree's answer. */
export interface SettleStop {
  index: number;
  commit: QueueCommit;
  /** The commit's parent (the merge base), the tip's tree (ours) and the commit itself (theirs). */
  base: string;
  ours: string;
  theirs: string;
  merged: MergeTreeResult;
  /** The environment the objects are written under (a temporary object directory in verify). */
  env: NodeJS.ProcessEnv | undefined;
}

export function subjectOf(message: string): string {
  return message.split('\n', 1)[0];
}

/**
 * Replay a queue onto `onto` in the object database, matching `git rebase` (merge backend, ort):
 * each commit C becomes a three-way merge of the current tip N and C with base C^. Git 2.39's
 * merge-tree has no --merge-base, so a synthetic commit O (N's tree, parent C^) makes C^ the merge
 * base of `git merge-tree --write-tree O C`. Rebase's rules: a commit empty from the start is kept,
 * one that becomes empty is dropped, a commit whose parent already is the tip is reused unchanged.
 * Stops at the first conflict. Merges go through one merge session (one merge-tree process where
 * possible, see merge-session.ts); commits are written directly.
 */
export async function replayQueue(run: Runner, repo: string, options: ReplayOptions): Promise<ReplayResult> {
  const info = options.objectInfo ?? (await repoObjectInfo(run, repo, options));
  const env = options.objectDir && options.objectDir !== info.objectDir ? objectDirEnv(options.objectDir, info.objectDir, options.env) : options.env;
  const session = openMergeSession(run, repo, { env, timeoutMs: options.timeoutMs });
  try {
    return await replay(run, repo, options, { info, env }, session);
  } finally {
    await session.close();
  }
}

/** `info` and `env` as replayQueue worked them out (the merge session runs under the same env). */
async function replay(run: Runner, repo: string, options: ReplayOptions, { info, env }: { info: RepoObjectInfo; env: NodeJS.ProcessEnv | undefined }, session: MergeSession): Promise<ReplayResult> {
  const writeDir = options.objectDir ?? info.objectDir;
  const call = { cwd: repo, env, timeoutMs: options.timeoutMs };

  let ontoSha = options.onto;
  let ontoTree = options.ontoTree;
  if (!ontoTree) {
    const head = await run('git', ['rev-parse', `${options.onto}^{commit}`, `${options.onto}^{tree}`], call);
    if (head.exitCode !== 0) throw new Error(`replay: ${options.onto} is not a commit`);
    [ontoSha, ontoTree] = head.stdout.split('\n');
  }
  let committer = options.committer;
  if (!committer) {
    const v = await run('git', ['var', 'GIT_COMMITTER_IDENT'], call);
    if (v.exitCode !== 0) throw new Error(`git var GIT_COMMITTER_IDENT failed (exit ${v.exitCode}): ${v.stderr}`);
    committer = v.stdout;
  }
  const write = (tree: string, parents: string[], author: string, message: string): string =>
    writeLooseObject(writeDir, 'commit', commitBody(tree, parents, author, committer, message), info.hash);

  let tip = ontoSha;
  let tipTree: string = ontoTree;
  const done: ReplayedCommit[] = [];
  const alreadyUpstream = [...(options.alreadyUpstream ?? [])];
  for (const [index, c] of options.commits.entries()) {
    if (c.parents.length === 1 && c.parents[0] === tip) {
      done.push({ original: c.sha, new: c.sha, tree: c.tree, reused: true });
      tip = c.sha;
      tipTree = c.tree;
      continue;
    }
    if (c.emptyFromStart) {
      tip = write(tipTree, [tip], c.authorRaw, c.message);
      done.push({ original: c.sha, new: tip, tree: tipTree });
      continue;
    }
    const base = write(tipTree, c.parents.slice(0, 1), committer, 'rebase-daily: synthetic merge base\n');
    let merged = await session.merge(base, c.sha);
    if (!merged.clean && options.settle) {
      const settled = await options.settle({ index, commit: c, base: c.parents[0], ours: tipTree, theirs: c.sha, merged, env });
      if (settled) merged = { clean: true, tree: settled, files: [], conflicts: [] };
    }
    if (!merged.clean) {
      return {
        ok: false,
        onto: ontoSha,
        failedIndex: index,
        commit: c.sha,
        subject: subjectOf(c.message),
        files: merged.files,
        conflicts: merged.conflicts,
        commits: done,
        alreadyUpstream,
      };
    }
    if (merged.tree === tipTree) {
      done.push({ original: c.sha, new: null, tree: null, dropped: 'empty' });
      continue;
    }
    tip = write(merged.tree, [tip], c.authorRaw, c.message);
    tipTree = merged.tree;
    done.push({ original: c.sha, new: tip, tree: tipTree });
  }
  return { ok: true, onto: ontoSha, newTip: tip, newTree: tipTree, commits: done, alreadyUpstream };
}
