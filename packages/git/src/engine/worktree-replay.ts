import { removeWorktree, type Runner, type StageContext } from '@rebase-daily/core';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommitInfo } from './commit-object.js';
import { type EngineCallOptions, readCommits } from './queue.js';

export type WorktreeReplayResult =
  | { ok: true; onto: string; newTip: string; newTree: string; chain: CommitInfo[] }
  | { ok: false; onto: string; commit: string; files: string[]; chain: CommitInfo[] };

export interface WorktreeReplayOptions extends EngineCallOptions {
  onto: string;
  trunk: string;
  /** Parent directory of the temporary worktree (default: the OS temp dir). */
  scratchDir?: string;
  /** A run's record (`ctx.registerTemporary`): the branch, worktree and rebase are recorded before they are made. */
  register?: StageContext['registerTemporary'];
  unregister?: StageContext['unregisterTemporary'];
}

async function must(run: Runner, cwd: string, args: string[], options: EngineCallOptions): Promise<string> {
  const r = await run('git', args, { cwd, env: options.env, timeoutMs: options.timeoutMs });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(' ')} failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  return r.stdout;
}

/**
 * The reference engine: a real `git rebase <onto>` in a temporary worktree on a temporary branch at
 * `trunk`. Returns the resulting chain (commits above `onto`) or the commit the rebase stopped at
 * (REBASE_HEAD) with its unmerged paths. The worktree and branch are always removed.
 */
export async function worktreeReplay(run: Runner, repo: string, options: WorktreeReplayOptions): Promise<WorktreeReplayResult> {
  const id = randomBytes(4).toString('hex');
  const path = join(options.scratchDir ?? tmpdir(), `rebase-daily-wt-${id}`);
  const branch = `rebase-daily/replay-${id}`;
  // Recorded before made (branch, then worktree; cleanup undoes them in reverse).
  options.register?.('branch', branch);
  options.register?.('worktree', path);
  let added = false;
  try {
    await must(run, repo, ['worktree', 'add', '-q', '-b', branch, path, options.trunk], options);
    added = true;
    const onto = (await must(run, repo, ['rev-parse', `${options.onto}^{commit}`], options)).trim();
    const origHead = (await must(run, path, ['rev-parse', 'HEAD'], options)).trim();
    options.register?.('operation', path, { op: 'rebase', origHead, onto });
    const rebase = await run('git', ['rebase', onto], { cwd: path, env: options.env, timeoutMs: options.timeoutMs });
    const chainShas = (await must(run, path, ['rev-list', '--reverse', `${onto}..HEAD`], options)).split('\n').filter(Boolean);
    const infos = await readCommits(run, repo, chainShas, options);
    const chain = chainShas.map((s) => infos.get(s) as CommitInfo);
    if (rebase.exitCode === 0) {
      const head = (await must(run, path, ['rev-parse', 'HEAD', 'HEAD^{tree}'], options)).split('\n');
      return { ok: true, onto, newTip: head[0].trim(), newTree: head[1].trim(), chain };
    }
    const stopped = await run('git', ['rev-parse', '--verify', '--quiet', 'REBASE_HEAD'], { cwd: path, env: options.env });
    if (stopped.exitCode !== 0) throw new Error(`git rebase ${onto} failed without stopping at a commit (exit ${rebase.exitCode}): ${rebase.stderr.trim()}`);
    const unmerged = await must(run, path, ['diff', '--name-only', '--diff-filter=U', '-z'], options);
    await run('git', ['rebase', '--abort'], { cwd: path, env: options.env, timeoutMs: options.timeoutMs });
    return { ok: false, onto, commit: stopped.stdout.trim(), files: unmerged.split('\0').filter(Boolean), chain };
  } finally {
    await removeWorktree(run, repo, path, { env: options.env });
    if (added) await run('git', ['branch', '-D', '-q', branch], { cwd: repo, env: options.env });
    for (const kind of ['operation', 'worktree', 'branch'] as const) options.unregister?.(kind, kind === 'branch' ? branch : path);
  }
}
