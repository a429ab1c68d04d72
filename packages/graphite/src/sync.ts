import { firstLine, moveBranch, revParse, type Runner } from '@rebase-daily/core';
import { GT_ENV } from './gt-bin.js';

export interface SyncOutcome {
  ok: boolean;
  exitCode: number;
  timedOut: boolean;
  durationMs: number;
  /** First meaningful line of gt's error output, or of its output on success. */
  message: string;
  /** Set when sync moved the trunk; rebase-daily puts it back (see syncGraphite). */
  trunkMoved?: { from: string; to: string; restored: boolean };
}

/**
 * `gt sync --no-restack --no-interactive` under a timeout. Never without --no-restack: a global
 * restack from sync would rebase branches other people (or agents) are working on.
 *
 * Sync may "pull" the trunk from the remote and, when the local trunk cannot fast-forward, overwrite
 * it with the remote version. After a trunk rewrite whose push is off or blocked that would undo the
 * rewrite, so the trunk is checked before and after, and put back when sync moved it.
 */
export async function syncGraphite(run: Runner, repo: string, gt: string, trunk: string, timeoutMs: number): Promise<SyncOutcome> {
  const before = await revParse(run, repo, `refs/heads/${trunk}`);
  const r = await run(gt, ['sync', '--no-restack', '--no-interactive'], { cwd: repo, env: GT_ENV, timeoutMs });
  const ok = r.exitCode === 0 && !r.timedOut;
  const message = r.timedOut
    ? `gt sync timed out after ${Math.round(timeoutMs / 1000)}s`
    : firstLine(ok ? r.stdout : errorLine(r.stderr) || r.stdout) || `gt sync exited ${r.exitCode}`;
  const outcome: SyncOutcome = { ok, exitCode: r.exitCode, timedOut: r.timedOut, durationMs: r.durationMs, message };
  const after = await revParse(run, repo, `refs/heads/${trunk}`);
  if (before && after && before !== after) {
    // Compare-and-swap: only undo sync's own move, never a concurrent one; a worktree that has the
    // trunk checked out follows it back.
    const u = await moveBranch(run, repo, { branch: trunk, from: after, to: before, reason: 'rebase-daily: undo gt sync trunk move' });
    outcome.trunkMoved = { from: before, to: after, restored: u.ok };
  }
  return outcome;
}

/** gt prints tips before its ERROR line; report the ERROR line when there is one. */
function errorLine(stderr: string): string {
  const line = stderr.split('\n').find((l) => /^ERROR:/.test(l.trim()));
  return line ? line.trim() : stderr;
}
