import type { Runner } from '@rebase-daily/core';
import { commitBody, writeLooseObject } from './commit-object.js';
import { parseMergeTree } from './merge-tree.js';
import type { RepoObjectInfo } from './object-dir.js';
import type { EngineCallOptions, QueueCommit } from './queue.js';
import { type ReplayConflict, subjectOf } from './replay.js';

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
    if (/^[0-9a-f]{40,64}$/.test(f)) {
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

export interface CheckOptions extends EngineCallOptions {
  onto: string;
  ontoTree: string;
  /** The queue's original base: the first commit's parent. */
  base: string;
  commits: readonly QueueCommit[];
  /** Every path upstream changed between `base` and `onto` (a superset is fine). */
  upstreamPaths: ReadonlySet<string>;
  patches: PatchPaths;
  objectDir: string;
  objectInfo: RepoObjectInfo;
  committer: string;
}

/**
 * Does the queue replay cleanly onto `onto`? The same merges as replayQueue, minus the ones whose
 * outcome is certain: a commit that only modifies files upstream did not touch (since `base`) merges
 * cleanly and leaves every other path as it was, so a run of such commits is folded into the next
 * real merge (base = the parent of the run's first commit). Per path, that merge sees exactly the
 * versions the separate merges would, so the outcome, failing commit and conflicted files are the
 * same. Only for linear queues (each commit's parent is the previous one); anything else merges
 * commit by commit. Used by localization, where most probes would otherwise redo ~all merges.
 */
export async function checkQueue(run: Runner, repo: string, options: CheckOptions): Promise<{ ok: true; merges: number } | (Omit<ReplayConflict, 'commits' | 'alreadyUpstream'> & { merges: number })> {
  const env = options.env;
  let tipTree = options.ontoTree;
  let previous = options.base;
  // Folding rests on "the tip differs from each commit's parent only where upstream changed", which
  // holds along a linear queue from `base`. A merge in the queue (flattened by the replay) breaks it
  // for every later commit, so folding stops for good at the first non-linear commit.
  let folding = true;
  let pending: { index: number; c: QueueCommit }[] = []; // folded commits not merged yet
  let merges = 0;
  const merge = async (baseCommit: string | undefined, c: QueueCommit) => {
    merges++;
    const o = writeLooseObject(options.objectDir, 'commit', commitBody(tipTree, baseCommit ? [baseCommit] : [], options.committer, options.committer, 'rebase-daily: synthetic merge base\n'), options.objectInfo.hash);
    const args = ['merge-tree', '--write-tree', '--name-only', '-z'];
    if (!baseCommit) args.push('--allow-unrelated-histories');
    const m = await run('git', [...args, o, c.sha], { cwd: repo, env, timeoutMs: options.timeoutMs, raw: true });
    if (m.exitCode !== 0 && m.exitCode !== 1) throw new Error(`git merge-tree failed for ${c.sha} (exit ${m.exitCode}): ${m.stderr.trim()}`);
    return parseMergeTree(m.stdout, m.exitCode);
  };
  const conflict = (index: number, c: QueueCommit, r: ReturnType<typeof parseMergeTree>) =>
    ({ ok: false as const, onto: options.onto, failedIndex: index, commit: c.sha, subject: subjectOf(c.message), files: r.files, conflicts: r.conflicts, merges });
  for (const [index, c] of options.commits.entries()) {
    const linear = c.parents.length === 1 && c.parents[0] === previous;
    previous = c.sha;
    if (!linear) folding = false;
    if (!folding && pending.length) {
      // Replay the pending run commit by commit before leaving the linear part: exact, no argument needed.
      for (const p of pending) {
        if (p.c.emptyFromStart) continue;
        const r = await merge(p.c.parents[0], p.c);
        if (!r.clean) return conflict(p.index, p.c, r);
        tipTree = r.tree;
      }
      pending = [];
    }
    if (c.emptyFromStart) {
      if (pending.length) pending.push({ index, c });
      continue;
    }
    const paths = options.patches.get(c.sha);
    if (folding && paths !== undefined && paths.every((p) => p.status === 'M' && !options.upstreamPaths.has(p.path))) {
      pending.push({ index, c });
      continue;
    }
    // Fold the pending run into this merge: base = the parent of the run's first commit.
    const r = await merge(pending.length ? pending[0].c.parents[0] : c.parents[0], c);
    pending = [];
    if (!r.clean) return conflict(index, c, r);
    // A commit that becomes empty leaves the tip as it is; the merged tree is the tip either way.
    tipTree = r.tree;
  }
  return { ok: true, merges };
}
