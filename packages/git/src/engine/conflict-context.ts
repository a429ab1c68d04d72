import type { Conflict, Runner } from '@rebase-daily/core';

/** Bounds that keep a report readable: lines per hunk side, upstream commits, characters of a message body. */
export const CONTEXT_LIMITS = { lines: 40, commits: 5, body: 600 } as const;

type Context = NonNullable<Conflict['context']>;

/** The first `max` lines of a diff, and whether it was cut. */
export function boundLines(text: string, max: number = CONTEXT_LIMITS.lines): { text: string; truncated: boolean } {
  const lines = text.replace(/\n$/, '').split('\n');
  if (lines.length <= max) return { text: lines.join('\n'), truncated: false };
  return { text: [...lines.slice(0, max), `… ${lines.length - max} more line(s)`].join('\n'), truncated: true };
}

/** Parse `git log --format=%H%x00%an <%ae>%x00%aI%x00%s%x00%b%x1e` into commits (body bounded). */
export function parseCommitRecords(text: string, bodyMax: number = CONTEXT_LIMITS.body): Context['upstreamCommits'] {
  return text
    .split('\x1e')
    .map((r) => r.replace(/^\n+/, ''))
    .filter((r) => r.includes('\0'))
    .map((r) => {
      const [sha, author, date, subject, body = ''] = r.split('\0');
      const b = body.trim();
      return { sha, author, date, subject, body: b.length > bodyMax ? `${b.slice(0, bodyMax)}…` : b };
    });
}

/**
 * What a human needs to judge a replay conflict, bounded: for each conflicted file the patch's own
 * hunk and upstream's change to it (`base..upstream`), and the upstream commits that touched those
 * files with author and message (the localized first breaking commit first when known).
 */
export async function conflictContext(run: Runner, repo: string, conflict: Conflict, base: string, upstream: string, firstBreaking?: string | null): Promise<Context> {
  const files = conflict.files.slice(0, 5);
  const diff = ['--no-color', '--no-ext-diff', '--no-textconv', '--no-renames'];
  const hunks: Context['hunks'] = [];
  for (const file of files) {
    const mine = conflict.patch ? await run('git', ['show', ...diff, '--format=', conflict.patch.sha, '--', file], { cwd: repo }) : null;
    const theirs = await run('git', ['diff', ...diff, base, upstream, '--', file], { cwd: repo });
    const a = boundLines(mine?.exitCode === 0 ? mine.stdout : '');
    const b = boundLines(theirs.exitCode === 0 ? theirs.stdout : '');
    hunks.push({ file, patch: a.text, upstream: b.text, truncated: a.truncated || b.truncated });
  }
  const format = '--format=%H%x00%an <%ae>%x00%aI%x00%s%x00%b%x1e';
  const log = await run('git', ['log', format, `--max-count=${CONTEXT_LIMITS.commits}`, `${base}..${upstream}`, '--', ...files], { cwd: repo });
  let commits = log.exitCode === 0 ? parseCommitRecords(log.stdout) : [];
  if (firstBreaking && !commits.some((c) => c.sha === firstBreaking)) {
    const one = await run('git', ['log', format, '-1', firstBreaking], { cwd: repo });
    if (one.exitCode === 0) commits = [...parseCommitRecords(one.stdout), ...commits].slice(0, CONTEXT_LIMITS.commits);
  } else if (firstBreaking) {
    commits = [...commits.filter((c) => c.sha === firstBreaking), ...commits.filter((c) => c.sha !== firstBreaking)];
  }
  return { hunks, upstreamCommits: commits };
}
