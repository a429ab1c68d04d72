import { shortSha } from '@rebase-daily/core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Runner } from '@rebase-daily/core';
import { reintroducedPaths } from '../policy/reintroduced.js';

/** Bounds: upstream commits listed, files per commit, conflicted files looked up. */
export const BUNDLE_LIMITS = { commits: 300, filesPerCommit: 50, conflictFiles: 20 } as const;
/** A day at or above either figure is large: resolve it patch by patch. */
export const LARGE_DAY = { files: 200, lines: 5_000 } as const;

export interface BundleCommit {
  sha: string;
  subject: string;
  author: string;
  files: string[];
}

/** What an agent (or a human) is handed before touching a conflict. Every fact comes from git. */
export interface ContextBundle {
  base: string;
  upstream: string;
  trunk: string;
  /** Upstream commits since the last good day (`base..upstream`), oldest first, bounded. */
  commits: BundleCommit[];
  commitCount: number;
  /** Changed paths of `base..upstream` by top-level directory (`(root)` for files at the top). */
  areas: { area: string; files: number }[];
  /** For each conflicted file, the fork patches (`base..trunk`) that touch it, oldest first. */
  patchesByFile: { file: string; patches: { sha: string; subject: string }[] }[];
  /** Paths upstream added back that `conflicts.policy.removed` names. */
  reintroduced: string[];
  /** Files upstream renamed that a fork patch edits (under the old name). */
  renamedUpstream: { from: string; to: string; patches: { sha: string; subject: string }[] }[];
  size: { files: number; insertions: number; deletions: number; large: boolean; note: string | null };
}

const RS = '\x1e';

/** Parse `git log --format=%x1e%H%x00%an <%ae>%x00%s --name-only` (oldest first with --reverse). Pure. */
export function parseLogWithFiles(stdout: string): BundleCommit[] {
  return stdout
    .split(RS)
    .filter((r) => r.includes('\0'))
    .map((r) => {
      const [head, ...rest] = r.split('\n');
      const [sha, author, subject] = head.split('\0');
      return { sha, author, subject, files: rest.filter(Boolean) };
    });
}

/** Parse `git diff --shortstat`: " 3 files changed, 10 insertions(+), 2 deletions(-)". Pure. */
export function parseShortstat(stdout: string): { files: number; insertions: number; deletions: number } {
  const n = (re: RegExp) => Number(re.exec(stdout)?.[1] ?? 0);
  return { files: n(/(\d+) files? changed/), insertions: n(/(\d+) insertions?\(\+\)/), deletions: n(/(\d+) deletions?\(-\)/) };
}

/** Changed paths by top-level directory, most first (ties by name). Pure. */
export function areaHistogram(paths: readonly string[]): { area: string; files: number }[] {
  const counts = new Map<string, number>();
  for (const p of new Set(paths)) {
    const area = p.includes('/') ? p.slice(0, p.indexOf('/')) : '(root)';
    counts.set(area, (counts.get(area) ?? 0) + 1);
  }
  return [...counts].map(([area, files]) => ({ area, files })).sort((a, b) => b.files - a.files || (a.area < b.area ? -1 : 1));
}

async function git(run: Runner, repo: string, args: string[]): Promise<string> {
  const r = await run('git', ['-c', 'core.quotePath=false', ...args], { cwd: repo });
  return r.exitCode === 0 ? r.stdout : '';
}

const patchList = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => ({ sha: l.slice(0, l.indexOf('\0')), subject: l.slice(l.indexOf('\0') + 1) }));

/**
 * Gather the bundle for a day: `base` is the queue's base (the last good day's upstream), `upstream`
 * the pinned upstream, `trunk` the fork trunk, `files` the conflicted files.
 */
export async function buildContextBundle(run: Runner, repo: string, input: { base: string; upstream: string; trunk: string; files: readonly string[]; removed?: readonly string[] }): Promise<ContextBundle> {
  const range = `${input.base}..${input.upstream}`;
  const [log, count, names, stat, renames, reintroduced] = await Promise.all([
    git(run, repo, ['log', '--reverse', '--no-renames', `--max-count=${BUNDLE_LIMITS.commits}`, '--format=%x1e%H%x00%an <%ae>%x00%s', '--name-only', range]),
    git(run, repo, ['rev-list', '--count', range]),
    git(run, repo, ['diff', '--name-only', '--no-renames', input.base, input.upstream]),
    git(run, repo, ['diff', '--shortstat', '--no-renames', input.base, input.upstream]),
    git(run, repo, ['diff', '-M', '--name-status', '--diff-filter=R', input.base, input.upstream]),
    reintroducedPaths(run, repo, input.base, input.upstream, input.removed ?? []),
  ]);
  const commits = parseLogWithFiles(log).map((c) => ({ ...c, files: c.files.slice(0, BUNDLE_LIMITS.filesPerCommit) }));
  const patchesTouching = async (file: string) => patchList(await git(run, repo, ['log', '--reverse', '--no-merges', '--format=%H%x00%s', `${input.base}..${input.trunk}`, '--', file]));
  const patchesByFile = [];
  for (const file of input.files.slice(0, BUNDLE_LIMITS.conflictFiles)) patchesByFile.push({ file, patches: await patchesTouching(file) });
  const renamedUpstream = [];
  for (const line of renames.split('\n').filter(Boolean)) {
    const [, from, to] = line.split('\t');
    const patches = await patchesTouching(from);
    if (patches.length) renamedUpstream.push({ from, to, patches });
  }
  const s = parseShortstat(stat);
  const large = s.files >= LARGE_DAY.files || s.insertions + s.deletions >= LARGE_DAY.lines;
  return {
    base: input.base,
    upstream: input.upstream,
    trunk: input.trunk,
    commits,
    commitCount: Number(count.trim() || commits.length),
    areas: areaHistogram(names.split('\n').filter(Boolean)),
    patchesByFile,
    reintroduced,
    renamedUpstream,
    size: { ...s, large, note: large ? `a large day (${s.files} files, ${s.insertions + s.deletions} lines): resolve it patch by patch` : null },
  };
}


/** The bundle as Markdown, for the agent's prompt and for a human. Pure. */
export function renderContextBundle(b: ContextBundle): string {
  const out = [`# Conflict context: upstream ${shortSha(b.base)}..${shortSha(b.upstream)}`, ''];
  out.push(`Size: ${b.commitCount} upstream commit(s), ${b.size.files} file(s), +${b.size.insertions} −${b.size.deletions}${b.size.note ? ` — ${b.size.note}` : ''}.`, '');
  out.push('## Changed paths by area', '', ...b.areas.map((a) => `- ${a.area}: ${a.files}`), '');
  out.push('## Fork patches touching each conflicted file', '');
  for (const f of b.patchesByFile) out.push(`- ${f.file}: ${f.patches.map((p) => `${shortSha(p.sha)} "${p.subject}"`).join(', ') || '(none)'}`);
  out.push('');
  if (b.reintroduced.length) out.push('## Re-introduced by upstream (the fork removed these for good)', '', ...b.reintroduced.map((p) => `- ${p}`), '');
  if (b.renamedUpstream.length) {
    out.push('## Renamed upstream, edited by a fork patch', '', ...b.renamedUpstream.map((r) => `- ${r.from} → ${r.to}: ${r.patches.map((p) => `${shortSha(p.sha)} "${p.subject}"`).join(', ')}`), '');
  }
  out.push(`## Upstream commits (${b.commits.length}${b.commits.length < b.commitCount ? ` of ${b.commitCount}` : ''}, oldest first)`, '');
  for (const c of b.commits) out.push(`- ${shortSha(c.sha)} ${c.subject} — ${c.author}${c.files.length ? `: ${c.files.join(', ')}` : ''}`);
  return `${out.join('\n')}\n`;
}

/** Write `context.json` and `context.md` into `dir`; returns their paths. */
export function writeContextBundle(dir: string, bundle: ContextBundle): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'context.json');
  const md = join(dir, 'context.md');
  writeFileSync(json, `${JSON.stringify(bundle, null, 2)}\n`);
  writeFileSync(md, renderContextBundle(bundle));
  return { json, md };
}
