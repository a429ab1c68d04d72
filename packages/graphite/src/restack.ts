import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentBranch, gitDir, moveBranch, operationInProgress, revParse, type CommandResult, type Runner } from '@rebase-daily/core';
import { branchTips } from './descendants.js';
import { GT_ENV } from './gt-bin.js';

/** What must be true again after a failed restack. */
export interface RestackSnapshot {
  /** branch → tip before align touched anything. */
  tips: Map<string, string>;
  startBranch: string | null;
  startHead: string | null;
  /** Bytes of .git/.graphite_metadata.db before the restack (its parent revisions drive the next restack). */
  metadataDb: { path: string; bytes: Buffer } | null;
}

export function takeSnapshot(tips: Map<string, string>, startBranch: string | null, startHead: string | null, metadataDbPath: string): RestackSnapshot {
  return { tips: new Map(tips), startBranch, startHead, metadataDb: existsSync(metadataDbPath) ? { path: metadataDbPath, bytes: readFileSync(metadataDbPath) } : null };
}

/** `gt restack --branch <trunk> --upstack`: every tracked branch above the trunk, parents first. */
export async function restackUpstack(run: Runner, repo: string, gt: string, trunk: string, timeoutMs: number): Promise<CommandResult> {
  return run(gt, ['restack', '--branch', trunk, '--upstack', '--no-interactive'], { cwd: repo, env: GT_ENV, timeoutMs });
}

/** Where a stopped restack stands, read from git's own rebase state (not from gt's wording). */
export interface StoppedRebase {
  branch: string | null;
  /** The commit that did not apply (REBASE_HEAD). */
  commit: string | null;
  subject: string | null;
  files: string[];
}

export async function inspectStoppedRebase(run: Runner, repo: string): Promise<StoppedRebase | null> {
  const dir = await gitDir(run, repo);
  if (!dir || operationInProgress(dir) !== 'rebase') return null;
  let branch: string | null = null;
  for (const sub of ['rebase-merge', 'rebase-apply']) {
    const headName = join(dir, sub, 'head-name');
    if (existsSync(headName)) branch = readFileSync(headName, 'utf8').trim().replace(/^refs\/heads\//, '');
  }
  const commit = await revParse(run, repo, 'REBASE_HEAD');
  const subject = commit ? (await run('git', ['log', '-1', '--format=%s', commit], { cwd: repo })).stdout.trim() : null;
  const u = await run('git', ['diff', '--name-only', '--diff-filter=U'], { cwd: repo });
  return { branch, commit, subject, files: u.stdout.split('\n').filter(Boolean) };
}

export interface RestoreOutcome {
  /** Everything is back: no rebase in progress, every tip as before, the starting branch checked out. */
  restored: boolean;
  /** Branches put back (core's `moveBranch`) because gt abort left them moved. */
  resetBranches: string[];
  metadataRestored: boolean;
  problems: string[];
}

/**
 * Undo a restack that stopped (conflict) or was killed (timeout): `gt abort`, then `git rebase
 * --abort` if a rebase is still in progress, then every branch whose tip differs from the snapshot
 * is put back with core's compare-and-swap `moveBranch` (and Graphite's metadata file with it, since
 * its recorded parent revisions would otherwise describe the half-done restack), then the starting
 * branch is checked out again.
 */
export async function abortAndRestore(run: Runner, repo: string, gt: string, snapshot: RestackSnapshot, timeoutMs: number): Promise<RestoreOutcome> {
  const problems: string[] = [];
  await run(gt, ['abort', '--force', '--no-interactive'], { cwd: repo, env: GT_ENV, timeoutMs });
  const dir = await gitDir(run, repo);
  if (dir && operationInProgress(dir) === 'rebase') await run('git', ['rebase', '--abort'], { cwd: repo, timeoutMs });
  if (dir && operationInProgress(dir) === 'rebase') problems.push(`a rebase is still in progress in ${repo}; run \`git rebase --abort\` there`);

  const now = await branchTips(run, repo);
  const moved = [...snapshot.tips].filter(([b, sha]) => now.get(b) !== sha);
  const resetBranches: string[] = [];
  let metadataRestored = false;
  if (moved.length) {
    // A checked-out branch cannot be moved under its own worktree: step off it first.
    await run('git', ['checkout', '--quiet', '--detach'], { cwd: repo });
    for (const [branch, sha] of moved) {
      const current = now.get(branch);
      const u = await moveBranch(run, repo, { branch, from: current ?? null, to: sha, reason: 'rebase-daily: restore pre-align tip' });
      if (u.ok) resetBranches.push(branch);
      else problems.push(`could not restore ${branch} to ${sha.slice(0, 12)}; run \`git branch -f ${branch} ${sha}\``);
    }
    if (snapshot.metadataDb) {
      try {
        writeFileSync(snapshot.metadataDb.path, snapshot.metadataDb.bytes);
        metadataRestored = true;
      } catch (err) {
        problems.push(`could not restore ${snapshot.metadataDb.path}: ${(err as Error).message}`);
      }
    }
  }
  const target = snapshot.startBranch ?? snapshot.startHead;
  if (target && (await currentBranch(run, repo)) !== snapshot.startBranch) {
    const c = await run('git', ['checkout', '--quiet', ...(snapshot.startBranch ? [] : ['--detach']), target], { cwd: repo });
    if (c.exitCode !== 0) problems.push(`could not check out ${target} again; run \`git checkout ${target}\``);
  }
  const after = await branchTips(run, repo);
  for (const [branch, sha] of snapshot.tips) if (after.get(branch) !== sha && !problems.some((p) => p.includes(branch))) problems.push(`${branch} is not back at ${sha.slice(0, 12)}`);
  return { restored: problems.length === 0, resetBranches, metadataRestored, problems };
}
