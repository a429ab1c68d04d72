import type { Runner } from '@rebase-daily/core';

const DAY_MS = 86_400_000;

/**
 * How far the trunk is behind upstream, in days: the age at `at` of the oldest upstream commit
 * (committer date: when it landed upstream) the trunk does not contain. 0 when the trunk contains
 * upstream; null when a SHA is unknown or git cannot answer (a commit pruned since).
 */
export async function daysBehind(run: Runner, repo: string, trunk: string | null, upstream: string | null, at: string | Date): Promise<number | null> {
  if (!trunk || !upstream) return null;
  const r = await run('git', ['log', '--format=%ct', `${trunk}..${upstream}`], { cwd: repo });
  if (r.exitCode !== 0) return null;
  const times = r.stdout.split('\n').filter((l) => /^\d+$/.test(l.trim())).map(Number);
  if (times.length === 0) return 0;
  return ageInDays(Math.min(...times) * 1000, at);
}

/** Days from `fromMs` to `at`, two decimals, never negative (a commit dated in the future is 0 days old). */
export function ageInDays(fromMs: number, at: string | Date): number {
  const days = (new Date(at).getTime() - fromMs) / DAY_MS;
  return Math.max(0, Math.round(days * 100) / 100);
}
