import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitDir, revParse, shellQuote, type Conflict, type Patch, type Runner } from '@rebase-daily/core';
import { commitSubject, conflictedFiles, skippingRebaseArgs, skipPicksEditor } from './git-ops.js';

/** Where a stopped rebase stands, from its state directory (`<gitdir>/rebase-merge`). */
export interface RebaseStop {
  /** The commit being picked when the rebase stopped (full SHA when resolvable). */
  sha: string | null;
  /** 1-based step number and total steps of the todo list. */
  msgnum: number | null;
  end: number | null;
}

/**
 * Read the stopped commit: `rebase-merge/stopped-sha` when git wrote it, else the last `pick` in
 * `rebase-merge/done` (git writes stopped-sha only for some stops).
 */
export function readRebaseStop(gitDirPath: string): RebaseStop & { rawSha: string | null } {
  const dir = join(gitDirPath, 'rebase-merge');
  const read = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8').trim() : null);
  let rawSha = read('stopped-sha');
  if (!rawSha) {
    const done = read('done');
    const last = done
      ?.split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .pop();
    rawSha = last?.split(/\s+/)[1] ?? null;
  }
  const num = (v: string | null) => (v && /^\d+$/.test(v) ? Number.parseInt(v, 10) : null);
  return { sha: rawSha, rawSha, msgnum: num(read('msgnum')), end: num(read('end')) };
}

export interface ReproduceInput {
  repo: string;
  /** Where the human's scratch worktree goes. */
  worktreePath: string;
  /** The trunk SHA to start from and the upstream SHA to rebase onto. */
  trunk: string;
  upstream: string;
  /** Queue commits the replay leaves out (superseded version bumps): the rebase line leaves them out too. */
  skip?: readonly string[];
}

/** Shell lines a human runs to reproduce the conflict in a scratch worktree (nothing real moves). */
export function reproduceCommands(input: ReproduceInput): string[] {
  const repo = shellQuote(input.repo);
  const wt = shellQuote(input.worktreePath);
  return [
    `git -C ${repo} worktree add --detach ${wt} ${input.trunk}`,
    `cd ${wt}`,
    input.skip?.length
      ? `GIT_SEQUENCE_EDITOR=${shellQuote(skipPicksEditor(input.skip))} git -c core.abbrev=40 ${skippingRebaseArgs(input.upstream).join(' ')}    # leaves out the superseded version bump(s)`
      : `git rebase --no-update-refs ${input.upstream}`,
    'git status --short    # conflicted files are marked UU/AA/DU; resolve, `git add`, `git rebase --continue`',
    `git rebase --abort; cd ${repo} && git worktree remove --force ${wt}    # clean up when done`,
  ];
}

/**
 * Describe the conflict of a rebase stopped in `worktree`: failing patch, its queue position,
 * conflicted files, reproduce commands.
 */
export async function describeConflict(
  run: Runner,
  worktree: string,
  stage: 'verify' | 'apply',
  queue: Patch[],
  reproduce: ReproduceInput,
): Promise<Conflict> {
  const dir = await gitDir(run, worktree);
  const stop = dir ? readRebaseStop(dir) : { sha: null, msgnum: null, end: null };
  const sha = stop.sha ? ((await revParse(run, worktree, stop.sha)) ?? stop.sha) : null;
  let patch: Patch | null = null;
  let position: number | null = null;
  if (sha) {
    const index = queue.findIndex((p) => p.sha === sha);
    position = index >= 0 ? index + 1 : stop.msgnum;
    patch = index >= 0 ? queue[index] : { sha, subject: await commitSubject(run, worktree, sha) };
  }
  return {
    stage,
    patch,
    position,
    queueLength: queue.length || stop.end,
    files: await conflictedFiles(run, worktree),
    reproduce: reproduceCommands(reproduce),
  };
}

/** Where the in-memory engine stopped: the queue commit that does not replay, and its conflicted files. */
export interface ReplayStop {
  commit: string;
  subject: string;
  /** 0-based index in the engine's queue, and that queue's length. */
  index: number;
  queueLength: number;
  files: string[];
}

/**
 * The same conflict record as describeConflict, for the in-memory engine: the failing patch and its
 * 1-based position in the patch queue (as `git rebase` numbers it), the conflicted files, and plain
 * `git rebase` reproduce lines — the engine's verdict is proven equal to rebase's, so they reproduce.
 */
export function replayConflict(stage: 'verify' | 'apply', queue: Patch[], stop: ReplayStop, reproduce: ReproduceInput): Conflict {
  const index = queue.findIndex((p) => p.sha === stop.commit);
  return {
    stage,
    patch: index >= 0 ? queue[index] : { sha: stop.commit, subject: stop.subject },
    position: index >= 0 ? index + 1 : stop.index + 1,
    queueLength: queue.length || stop.queueLength,
    files: stop.files,
    reproduce: reproduceCommands(reproduce),
  };
}
