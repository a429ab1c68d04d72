import type { Runner } from '@rebase-daily/core';
import type { MergeConflictMessage } from './merge-tree.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { objectDirEnv, type RepoObjectInfo } from './object-dir.js';
import { type EngineCallOptions, outlineQueue, PLAIN_DIFF_FLAGS, parseRawZ } from './queue.js';
import { checkQueue, upstreamChanges } from './replay-check.js';
import { openMergeSession } from './merge-session.js';
import { subjectOf } from './replay.js';
import { isSha } from '@rebase-daily/core';

export interface VerifyQueueResult {
  ok: boolean;
  upstream: string;
  trunk: string;
  /** Commits rebase would replay, and those it would drop as already upstream. */
  queueLength: number;
  alreadyUpstream: string[];
  /** merge-tree calls needed (merges whose outcome is certain are folded). */
  merges: number;
  /** How they ran: one long-lived merge-tree (`conversation`) or a process each. */
  mergeMode?: 'conversation' | 'one-per-merge';
  conflict?: { index: number; commit: string; subject: string; files: string[]; conflicts: MergeConflictMessage[] };
}


/**
 * Would `git rebase <upstream>` of `trunk` succeed, and if not, where does it stop? The answer the
 * verify stage needs, computed in a temporary object directory (nothing left behind) with the
 * outcome-only check: rebase's commit list with each patch's paths (one `git log`), what upstream
 * changed in those paths since the queue's base (one `git diff-tree` limited to them), and merges
 * only for the runs of patches whose files upstream touched (or that add, delete or follow a
 * non-linear history), all through one merge-tree process where possible (merge-session.ts).
 * Proven equal to a full replay and to `git rebase` by the parity suite. Apply uses replayQueue.
 *
 * Every spawn costs 12–50 ms here, so calls that do not depend on each other overlap: rev-parse
 * with the log when both inputs are full SHAs, as the verify stage passes them (names are resolved
 * first, so a ref moving in between cannot mix two states), then the diff with the merge process's
 * start-up. Only merge-tree writes, and only into the temporary object directory.
 */
export async function verifyQueue(run: Runner, repo: string, options: EngineCallOptions & { upstream: string; trunk: string; skip?: ReadonlySet<string> }): Promise<VerifyQueueResult> {
  const call = { env: options.env, timeoutMs: options.timeoutMs };
  const resolveHead = () =>
    // --show-cdup last: a bare repository prints no line for it, a work tree's top level an empty one.
    run('git', ['rev-parse', '--git-path', 'objects', '--show-object-format', `${options.upstream}^{commit}`, `${options.upstream}^{tree}`, `${options.trunk}^{commit}`, '--show-cdup'], { cwd: repo, ...call });
  const pinned = isSha(options.upstream) && isSha(options.trunk);
  const early = pinned ? outlineQueue(run, repo, options.upstream, options.trunk, call) : undefined;
  early?.catch(() => {}); // awaited below; a failure must not surface as an unhandled rejection meanwhile
  const head = await resolveHead();
  if (head.exitCode !== 0) {
    await early?.catch(() => {});
    throw new Error(`verify: cannot resolve ${options.upstream} / ${options.trunk} (exit ${head.exitCode}): ${head.stderr.trim()}`);
  }
  const [objectsPath, format, upstream, ontoTree, trunk, cdup] = head.stdout.split('\n').map((l) => l.trim());
  // merge-tree prints conflicted paths relative to its cwd: run from the top level so they are the
  // repository's paths, as rebase's are, whatever subdirectory `repo` names.
  const top = cdup ? resolve(repo, cdup) : repo;
  const outline = await (early ?? outlineQueue(run, top, upstream, trunk, call));
  // Superseded commits (old version bumps) leave the replay. The base and the folding inputs come
  // from the whole queue: the first commit after a skipped one is not linear, so checkQueue merges
  // it and every later commit exactly.
  const queue = options.skip?.size ? { ...outline, commits: outline.commits.filter((c) => !options.skip?.has(c.sha)) } : outline;
  const result: VerifyQueueResult = { ok: true, upstream, trunk, queueLength: queue.commits.length, alreadyUpstream: queue.alreadyUpstream, merges: 0 };
  if (queue.commits.length === 0) return result;

  const objectInfo: RepoObjectInfo = { objectDir: isAbsolute(objectsPath) ? objectsPath : resolve(repo, objectsPath), hash: format === 'sha256' ? 'sha256' : 'sha1' };
  const objectDir = mkdtempSync(join(tmpdir(), 'rebase-daily-objects-'));
  const env = objectDirEnv(objectDir, objectInfo.objectDir, options.env);
  const session = openMergeSession(run, top, { env, timeoutMs: options.timeoutMs });
  try {
    session.warm();
    // What upstream changed since the queue's base (its first commit's parent), in the paths the
    // queue touches: all the check asks about.
    const base = outline.commits[0].parents[0] ?? upstream;
    const upstreamPaths = upstreamChanges([base === upstream ? [] : await upstreamChangesIn(run, top, base, upstream, queue.paths, call)]);
    // A root commit in the queue has no base to diff against: merge every commit then.
    const patches = outline.commits[0].parents.length ? queue.paths : new Map();
    // The synthetic merge bases live only in the temporary store: their committer does not matter.
    const committer = 'rebase-daily <rebase-daily@localhost> 0 +0000';
    const r = await checkQueue(run, top, { onto: upstream, ontoTree, base, commits: queue.commits, upstreamPaths, patches, objectDir, env, objectInfo, committer, session, timeoutMs: options.timeoutMs });
    result.merges = r.merges;
    if (r.merges) result.mergeMode = session.mode;
    if (!r.ok) {
      result.ok = false;
      result.conflict = { index: r.failedIndex, commit: r.commit, subject: subjectOf(queue.commits[r.failedIndex].message), files: r.files, conflicts: r.conflicts };
    }
    return result;
  } finally {
    await session.close();
    rmSync(objectDir, { recursive: true, force: true });
  }
}

/** Above this many paths (or bytes of them) the diff is not limited: a command line has its limits. */
const PATHSPEC_LIMIT = { count: 2_000, bytes: 64 * 1024 };

/** GIT_LITERAL_PATHSPECS=1 (or GIT_GLOB_PATHSPECS…) would refuse the magic; the pathspecs say what they mean. */
function withoutPathspecEnv(env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  return { ...env, GIT_LITERAL_PATHSPECS: '0', GIT_GLOB_PATHSPECS: '0', GIT_NOGLOB_PATHSPECS: '0', GIT_ICASE_PATHSPECS: '0' };
}

/** `git diff-tree` from `base` to `upstream`, limited to the paths the queue touches (top-level literal pathspecs). */
async function upstreamChangesIn(run: Runner, repo: string, base: string, upstream: string, patchPaths: ReadonlyMap<string, readonly { path: string }[]>, call: EngineCallOptions) {
  const paths = [...new Set([...patchPaths.values()].flatMap((list) => list.map((p) => p.path)))];
  const limited = paths.length <= PATHSPEC_LIMIT.count && paths.reduce((n, p) => n + Buffer.byteLength(p) + 1, 0) <= PATHSPEC_LIMIT.bytes;
  if (limited && paths.length === 0) return [];
  // `:(top,literal)`: paths from the log are relative to the top level, and the repo path may be a
  // subdirectory; no glob in a path may widen or narrow the match.
  const pathspecs = limited ? paths.map((p) => `:(top,literal)${p}`) : [];
  const r = await run('git', ['diff-tree', '-r', '-z', ...PLAIN_DIFF_FLAGS, base, upstream, '--', ...pathspecs], { cwd: repo, ...call, env: withoutPathspecEnv(call.env), raw: true });
  if (r.exitCode !== 0) throw new Error(`git diff-tree ${base} ${upstream} failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  return parseRawZ(r.stdout);
}
