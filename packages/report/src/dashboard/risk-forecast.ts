import type { Runner } from '@rebase-daily/core';

export interface PatchRisk {
  sha: string;
  subject: string;
  /** Lines upstream added or deleted in the window on the files this patch touches. */
  churn: number;
  /** Upstream commits in the window that touched those files. */
  commits: number;
  /** The touched files upstream changed, most churned first, with their churn. */
  files: { file: string; churn: number }[];
}

export interface RiskForecastOptions {
  /** The upstream ref (`upstream/main`). */
  upstream: string;
  /** The fork trunk; its queue is `upstream..trunk`. */
  trunk: string;
  /** End of the window (default: now). */
  now?: Date;
  /** Window length in days (default 30). */
  days?: number;
}

/**
 * The conflict-risk forecast: each queue patch ranked by how much upstream changed, over the last
 * `days` days, the files that patch touches. A patch whose files upstream keeps rewriting is the
 * one most likely to conflict next. Two git calls whatever the queue length.
 */
export async function conflictRiskForecast(run: Runner, repo: string, options: RiskForecastOptions): Promise<PatchRisk[]> {
  const now = options.now ?? new Date();
  const since = new Date(now.getTime() - (options.days ?? 30) * 86_400_000);
  const queue = await run('git', ['log', '--no-merges', '--reverse', '--format=@@%H%x09%s', '--name-only', `${options.upstream}..${options.trunk}`], { cwd: repo });
  if (queue.exitCode !== 0) return [];
  const churn = await run('git', ['log', '--no-merges', `--since=${since.toISOString()}`, `--until=${now.toISOString()}`, '--format=@@%H', '--numstat', options.upstream], { cwd: repo });
  if (churn.exitCode !== 0) return [];
  return rankPatches(parseQueueFiles(queue.stdout), parseChurn(churn.stdout));
}

/** `git log --format=@@%H%x09%s --name-only` → patches with the files each touches (pure). */
export function parseQueueFiles(stdout: string): { sha: string; subject: string; files: string[] }[] {
  const out: { sha: string; subject: string; files: string[] }[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith('@@')) {
      const [sha, ...subject] = line.slice(2).split('\t');
      out.push({ sha: sha!, subject: subject.join('\t'), files: [] });
    } else if (line.trim() && out.length) out.at(-1)!.files.push(line.trim());
  }
  return out;
}

/** `git log --format=@@%H --numstat` → per file: lines changed and the commits that changed it (pure; binary files count 1 line). */
export function parseChurn(stdout: string): Map<string, { churn: number; commits: Set<string> }> {
  const files = new Map<string, { churn: number; commits: Set<string> }>();
  let commit = '';
  for (const line of stdout.split('\n')) {
    if (line.startsWith('@@')) {
      commit = line.slice(2).trim();
      continue;
    }
    const m = /^(\d+|-)\t(\d+|-)\t(.+)$/.exec(line);
    if (!m) continue;
    const lines = m[1] === '-' ? 1 : Number(m[1]) + Number(m[2]);
    const f = files.get(m[3]!) ?? { churn: 0, commits: new Set<string>() };
    f.churn += lines;
    f.commits.add(commit);
    files.set(m[3]!, f);
  }
  return files;
}

/** Rank patches by upstream churn on their files, then by commits, then queue order (pure). */
export function rankPatches(queue: { sha: string; subject: string; files: string[] }[], churn: Map<string, { churn: number; commits: Set<string> }>): PatchRisk[] {
  return queue
    .map((p, i) => {
      const hits = p.files.filter((f) => churn.has(f)).map((f) => ({ file: f, churn: churn.get(f)!.churn }));
      const commits = new Set(p.files.flatMap((f) => [...(churn.get(f)?.commits ?? [])]));
      return { i, risk: { sha: p.sha, subject: p.subject, churn: hits.reduce((a, h) => a + h.churn, 0), commits: commits.size, files: hits.sort((a, b) => b.churn - a.churn) } };
    })
    .sort((a, b) => b.risk.churn - a.risk.churn || b.risk.commits - a.risk.commits || a.i - b.i)
    .map((x) => x.risk);
}
