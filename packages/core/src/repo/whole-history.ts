import { errors, type RebaseDailyError } from '../errors/errors.js';
import type { Runner } from '../process/process.js';

export interface HistoryCheck {
  shallow: boolean;
  partial: boolean;
  /** Objects reachable from the checked tips that a partial clone does not have. */
  missing: number;
}

/**
 * Is the history whole? A shallow clone cuts the queue at the graft (patches fold, a replay sees one
 * root commit); a partial clone (`--filter=blob:none`) may lack the blobs a patch-id or a marker scan
 * reads. Reads only: `--missing=print` lists absent objects without fetching them.
 */
export async function checkHistory(run: Runner, repo: string, tips: readonly string[]): Promise<HistoryCheck> {
  const sh = await run('git', ['rev-parse', '--is-shallow-repository'], { cwd: repo });
  const shallow = sh.stdout.trim() === 'true';
  const promisor = await run('git', ['config', '--get-regexp', '^(extensions\\.partialclone|remote\\..*\\.promisor)$'], { cwd: repo });
  const partial = promisor.exitCode === 0 && promisor.stdout.trim().length > 0;
  let missing = 0;
  if (partial && tips.length) {
    const r = await run('git', ['rev-list', '--objects', '--missing=print', ...tips, '--'], { cwd: repo, env: { GIT_NO_LAZY_FETCH: '1' } });
    missing = r.stdout.split('\n').filter((l) => l.startsWith('?')).length;
  }
  return { shallow, partial, missing };
}

/** E_SHALLOW_REPO for a history that is not whole, naming the command that makes it whole; null when it is. */
export function historyProblem(repo: string, remote: string, h: HistoryCheck): RebaseDailyError | null {
  if (h.shallow) return errors.shallowRepo(repo, 'shallow', 'git fetch --unshallow');
  if (h.missing > 0) return errors.shallowRepo(repo, 'partial', `git config --unset remote.${remote}.partialclonefilter && git fetch --refetch ${remote}`);
  return null;
}

/** Throws E_SHALLOW_REPO unless the history reachable from `tips` is whole. */
export async function assertWholeHistory(run: Runner, repo: string, remote: string, tips: readonly string[]): Promise<HistoryCheck> {
  const h = await checkHistory(run, repo, tips);
  const problem = historyProblem(repo, remote, h);
  if (problem) throw problem;
  return h;
}

/**
 * E_TRUNK_AHEAD: the local trunk's commits that the fork remote's trunk does not have ("sha subject",
 * newest first, at most 20). Empty when the fork has no trunk yet (nothing to compare with).
 */
export async function trunkAheadCommits(run: Runner, repo: string, trunk: string, forkTrunk: string | null): Promise<string[]> {
  if (!forkTrunk) return [];
  const r = await run('git', ['log', '--max-count=20', '--format=%H %s', `${forkTrunk}..${trunk}`, '--'], { cwd: repo });
  if (r.exitCode !== 0) return [];
  return r.stdout.split('\n').filter(Boolean).map((l) => `${l.slice(0, 12)} "${l.slice(41)}"`);
}
