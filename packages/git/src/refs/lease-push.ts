import { describeCommand, errors, lsRemoteBranch, type CommandResult, type Lease, type Runner } from '@rebase-daily/core';
import { atomicRefusal, classifyPush, type PushOutcome } from './push-rejection.js';

export interface LeasePushResult {
  ok: boolean;
  ref: string;
  remote: string;
  /** The remote SHA the push was conditional on (null = the branch had to be absent). */
  expected: string | null;
  newSha: string;
  outcome: PushOutcome;
  /** After a failure: what the remote ref actually is (`ls-remote`); null = absent, undefined = unknown. */
  actual?: string | null;
  command: string;
  result: CommandResult;
}

/** The explicit lease argument: `--force-with-lease=refs/heads/<b>:<sha>`, empty SHA = must not exist. */
export function leaseArg(branch: string, expectedSha: string | null): string {
  return `--force-with-lease=refs/heads/${branch}:${expectedSha ?? ''}`;
}

/**
 * Push `newSha` to `refs/heads/<branch>` on `remote` only if the remote branch is exactly
 * `expectedSha` (null: only if it does not exist). The expected SHA is always explicit — never
 * the remote-tracking ref, which a background fetch can silently advance past someone else's
 * commits. On failure, reads the remote's actual SHA for the report.
 */
export async function leasePush(
  run: Runner,
  repo: string,
  remote: string,
  branch: string,
  newSha: string,
  expectedSha: string | null,
  options: { timeoutMs?: number } = {},
): Promise<LeasePushResult> {
  const ref = `refs/heads/${branch}`;
  const args = ['push', '--porcelain', leaseArg(branch, expectedSha), remote, `${newSha}:${ref}`];
  const result = await run('git', args, { cwd: repo, timeoutMs: options.timeoutMs });
  const outcome = classifyPush(result, ref);
  const out: LeasePushResult = { ok: result.exitCode === 0, ref, remote, expected: expectedSha, newSha, outcome, command: describeCommand(result), result };
  if (!out.ok) out.actual = await lsRemoteBranch(run, repo, remote, branch, options.timeoutMs);
  return out;
}

/** The report's `lease` record for a failed lease push. */
export function leaseRecord(push: LeasePushResult): Lease {
  return {
    ref: push.ref,
    remote: push.remote,
    expected: push.expected,
    actual: push.actual ?? null,
    attempted: true,
    reason: `${push.outcome.kind}${push.outcome.detail ? `: ${push.outcome.detail}` : ''}`,
  };
}

/** One ref of a multi-ref push: `newSha` to `refs/heads/<branch>`, leased on `expected`. */
export interface RefUpdate {
  branch: string;
  newSha: string;
  /** The remote SHA observed at the start of the run (null: the branch must be absent). */
  expected: string | null;
}

export interface MultiPushResult {
  ok: boolean;
  /** Every ref's outcome, in the order given; `actual` read back from the remote after a failure. */
  refs: (RefUpdate & { outcome: PushOutcome; actual?: string | null })[];
  /** The remote refused `--atomic` itself: nothing was sent. */
  atomicUnsupported: boolean;
  command: string;
  result: CommandResult;
}

/**
 * Push every ref in one `git push --atomic`, each with its own explicit lease: either every ref
 * moves on the remote or none does (git makes the remote apply them as one transaction). On
 * failure reads each ref's actual SHA back from the remote for the report.
 */
export async function atomicLeasePush(run: Runner, repo: string, remote: string, updates: RefUpdate[], options: { timeoutMs?: number } = {}): Promise<MultiPushResult> {
  // With no refspec git would push what push.default picks, without a lease: never.
  if (updates.length === 0) throw errors.internal('atomicLeasePush called with no ref to push; callers return before publishing nothing');
  const args = ['push', '--porcelain', '--atomic', ...updates.map((u) => leaseArg(u.branch, u.expected)), remote, ...updates.map((u) => `${u.newSha}:refs/heads/${u.branch}`)];
  const result = await run('git', args, { cwd: repo, timeoutMs: options.timeoutMs });
  const ok = result.exitCode === 0;
  const refs = updates.map((u) => ({ ...u, outcome: classifyPush(result, `refs/heads/${u.branch}`) }));
  const atomicUnsupported = atomicRefusal(result) !== null;
  const out: MultiPushResult = { ok, refs, atomicUnsupported, command: describeCommand(result), result };
  if (!ok) for (const r of out.refs) (r as { actual?: string | null }).actual = await lsRemoteBranch(run, repo, remote, r.branch, options.timeoutMs);
  return out;
}
