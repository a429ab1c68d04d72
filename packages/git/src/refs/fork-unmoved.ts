import { errors, lsRemoteBranch, type Lease, type Runner, shortSha } from '@rebase-daily/core';

/** One branch of the fork remote and the SHA the run saw at its start (null: absent). */
export interface ForkExpectation {
  branch: string;
  expected: string | null;
  /** Where the run moves it: finding it there already is a retry after the push went through, not a move. */
  next?: string | null;
}

const short = (s: string | null | undefined) => shortSha(s, '(absent)');

/**
 * The one "the fork has not moved" check: reads each branch on the fork remote now (`ls-remote`,
 * never the remote-tracking ref a background fetch may have advanced) and returns the first that
 * is neither at the SHA the run saw at its start nor already at `next`, as a never-attempted lease
 * (`since` words when the run saw it: "since verify", "during the resolution"). Throws
 * E_FETCH_FAILED when the remote cannot be read.
 */
export async function forkMoved(
  run: Runner,
  repo: string,
  remote: string,
  refs: readonly ForkExpectation[],
  options: { since: string; timeoutMs?: number },
): Promise<{ actual: Map<string, string | null>; moved: Lease | null }> {
  const actual = new Map<string, string | null>();
  for (const r of refs) {
    const now = await lsRemoteBranch(run, repo, remote, r.branch, options.timeoutMs);
    if (now === undefined) throw errors.fetchFailed(remote, 'git ls-remote failed');
    actual.set(r.branch, now);
  }
  for (const r of refs) {
    const now = actual.get(r.branch) ?? null;
    if (now === r.expected || (r.next !== undefined && now === r.next)) continue;
    const reason = `${remote}'s ${r.branch} moved ${options.since} (expected ${short(r.expected)}, found ${short(now)})`;
    return { actual, moved: { ref: `refs/heads/${r.branch}`, remote, expected: r.expected, actual: now, attempted: false, reason } };
  }
  return { actual, moved: null };
}
