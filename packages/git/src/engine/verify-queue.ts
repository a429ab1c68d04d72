import type { Runner } from '@rebase-daily/core';
import type { MergeConflictMessage } from './merge-tree.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { objectDirEnv, type RepoObjectInfo } from './object-dir.js';
import { type EngineCallOptions, listQueue } from './queue.js';
import { checkQueue, patchPaths } from './replay-check.js';
import { subjectOf } from './replay.js';

export interface VerifyQueueResult {
  ok: boolean;
  upstream: string;
  trunk: string;
  /** Commits rebase would replay, and those it would drop as already upstream. */
  queueLength: number;
  alreadyUpstream: string[];
  /** merge-tree calls needed (merges whose outcome is certain are folded). */
  merges: number;
  conflict?: { index: number; commit: string; subject: string; files: string[]; conflicts: MergeConflictMessage[] };
}

/**
 * Would `git rebase <upstream>` of `trunk` succeed, and if not, where does it stop? The answer the
 * verify stage needs, computed in a temporary object directory (nothing left behind) with the
 * outcome-only check: rebase's commit list, one diff-tree, and a merge-tree only for the patches
 * whose files upstream touched (or that add, delete or follow a non-linear history). Proven equal to
 * a full replay and to `git rebase` by the parity suite. Apply uses replayQueue for the commits.
 */
export async function verifyQueue(run: Runner, repo: string, options: EngineCallOptions & { upstream: string; trunk: string }): Promise<VerifyQueueResult> {
  // Every spawn costs 15–50 ms here: one rev-parse answers the object store, its format and both SHAs.
  const head = await run('git', ['rev-parse', '--git-path', 'objects', '--show-object-format', `${options.upstream}^{commit}`, `${options.upstream}^{tree}`, `${options.trunk}^{commit}`], {
    cwd: repo,
    env: options.env,
    timeoutMs: options.timeoutMs,
  });
  if (head.exitCode !== 0) throw new Error(`verify: cannot resolve ${options.upstream} / ${options.trunk} (exit ${head.exitCode}): ${head.stderr.trim()}`);
  const [objectsPath, format, upstream, ontoTree, trunk] = head.stdout.split('\n').map((l) => l.trim());
  const objectInfo: RepoObjectInfo = { objectDir: isAbsolute(objectsPath) ? objectsPath : resolve(repo, objectsPath), hash: format === 'sha256' ? 'sha256' : 'sha1' };
  const objectDir = mkdtempSync(join(tmpdir(), 'rebase-daily-objects-'));
  const env = objectDirEnv(objectDir, objectInfo.objectDir, options.env);
  try {
    const queue = await listQueue(run, repo, upstream, trunk, { env, timeoutMs: options.timeoutMs });
    const result: VerifyQueueResult = { ok: true, upstream, trunk, queueLength: queue.commits.length, alreadyUpstream: queue.alreadyUpstream, merges: 0 };
    if (queue.commits.length === 0) return result;
    // Paths upstream changed since the queue's base (its first commit's parent), and each patch's.
    const base = queue.commits[0].parents[0] ?? upstream;
    const paths = await patchPaths(run, repo, [`${upstream} ${base}`, ...queue.commits.map((c) => c.sha)], { env, timeoutMs: options.timeoutMs });
    const upstreamPaths = new Set(upstream === base ? [] : (paths.get(upstream) ?? []).map((p) => p.path));
    // The synthetic merge bases live only in the temporary store: their committer does not matter.
    const committer = 'rebase-daily <rebase-daily@localhost> 0 +0000';
    // A root commit in the queue has no base to diff against: merge every commit then.
    const patches = queue.commits[0].parents.length ? paths : new Map();
    const r = await checkQueue(run, repo, { onto: upstream, ontoTree, base, commits: queue.commits, upstreamPaths, patches, objectDir, env, objectInfo, committer, timeoutMs: options.timeoutMs });
    result.merges = r.merges;
    if (!r.ok) {
      result.ok = false;
      result.conflict = { index: r.failedIndex, commit: r.commit, subject: subjectOf(queue.commits[r.failedIndex].message), files: r.files, conflicts: r.conflicts };
    }
    return result;
  } finally {
    rmSync(objectDir, { recursive: true, force: true });
  }
}
