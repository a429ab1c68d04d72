import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type CommandResult, gitDir, type LockFinding, type LockMerge, type Patch, revParse, type StageContext } from '@rebase-daily/core';
import { parseCatFileBatch } from '../engine/commit-object.js';
import { conflictedFiles, recordedRebase } from '../git-ops.js';
import { readRebaseStop } from '../rebase-conflict.js';
import { isRebasing } from '../rebase-state.js';
import { parseToml } from '../version/cargo-manifest.js';
import { memberVersions, mergerFor } from './mechanical.js';

export interface SettledRebase {
  /** The last rebase command's result: exit 0 when the rebase completed. */
  result: CommandResult;
  merges: LockMerge[];
  findings: LockFinding[];
}

/**
 * The worktree engine's lock settling: `git rebase` (recorded, see recordedRebase), and while it
 * stops on lock files only — each a content conflict with all three index stages, each listed in
 * `conflicts.mechanical` — merge each by structure (stage 1 base, stage 2 ours = the new base, stage 3
 * theirs = the patch; member versions from the index's merged manifests), `git add` it and
 * `git rebase --continue`. Any other stop is returned as is, for the caller to describe and abort.
 */
export async function rebaseSettlingLocks(ctx: StageContext, cwd: string, onto: string, skip: readonly string[], options: { queue: readonly Patch[]; mechanical: readonly string[] }): Promise<SettledRebase> {
  const merges: LockMerge[] = [];
  const findings: LockFinding[] = [];
  let result = await recordedRebase(ctx, cwd, onto, skip);
  while (result.exitCode !== 0 && options.mechanical.length && (await isRebasing(ctx.run, cwd))) {
    const files = await conflictedFiles(ctx.run, cwd);
    if (!files.length || !files.every((f) => mergerFor(f, options.mechanical))) break;
    const settled = await settleStop(ctx, cwd, files, options.mechanical, findings);
    if (!settled) break;
    const dir = await gitDir(ctx.run, cwd);
    const stop = dir ? readRebaseStop(dir) : null;
    const sha = stop?.sha ? ((await revParse(ctx.run, cwd, stop.sha)) ?? stop.sha) : '';
    const index = options.queue.findIndex((p) => p.sha === sha);
    for (const s of settled) {
      merges.push({ patch: { sha, subject: index >= 0 ? options.queue[index].subject : '' }, position: index >= 0 ? index + 1 : (stop?.msgnum ?? 0), queueLength: options.queue.length || (stop?.end ?? 0), file: s.file, entries: s.entries });
    }
    // GIT_EDITOR=true: the patch keeps its message, as a clean pick would.
    result = await ctx.run('git', ['rebase', '--continue'], { cwd, env: { GIT_EDITOR: 'true' } });
    if (result.exitCode === 0) ctx.unregisterTemporary('operation', cwd);
  }
  return { result, merges, findings };
}

async function settleStop(ctx: StageContext, cwd: string, files: readonly string[], mechanical: readonly string[], findings: LockFinding[]): Promise<{ file: string; entries: LockMerge['entries'] }[] | null> {
  // Every file must be a plain content conflict: stages 1, 2 and 3 present (no add/add, no delete).
  const unmerged = await ctx.run('git', ['ls-files', '-u', '-z', '--', ...files], { cwd, raw: true });
  const stages = new Map<string, Set<string>>();
  for (const line of unmerged.stdout.split('\0').filter(Boolean)) {
    const [meta, path] = [line.slice(0, line.indexOf('\t')), line.slice(line.indexOf('\t') + 1)];
    stages.set(path, (stages.get(path) ?? new Set()).add(meta.split(' ')[2]));
  }
  if (!files.every((f) => ['1', '2', '3'].every((s) => stages.get(f)?.has(s)))) return null;
  const staged = await ctx.run('git', ['ls-files', '-s', '-z'], { cwd, raw: true });
  const manifests = staged.stdout
    .split('\0')
    .filter(Boolean)
    .map((l) => ({ meta: l.slice(0, l.indexOf('\t')).split(' '), path: l.slice(l.indexOf('\t') + 1) }))
    .filter((e) => e.meta[2] === '0' && basename(e.path) === 'Cargo.toml');
  const requests = [...files.flatMap((f) => [`:1:${f}`, `:2:${f}`, `:3:${f}`]), ...manifests.map((m) => m.meta[1])];
  const batch = await ctx.run('git', ['cat-file', '--batch'], { cwd, input: `${requests.join('\n')}\n`, raw: true });
  const bodies = batch.exitCode === 0 ? parseCatFileBatch(batch.stdout).map((o) => o.body) : null;
  if (!bodies) return null;
  const manifestTexts = manifests.map((m, i) => ({ path: m.path, text: bodies[files.length * 3 + i] }));
  const out: { file: string; text: string; entries: LockMerge['entries'] }[] = [];
  for (const [i, file] of files.entries()) {
    const merger = mergerFor(file, mechanical);
    if (!merger) return null;
    let r;
    try {
      r = merger.merge({ base: bodies[i * 3], ours: bodies[i * 3 + 1], theirs: bodies[i * 3 + 2], members: memberVersions(file, manifestTexts, parseToml) });
    } catch (error) {
      r = { ok: false as const, findings: [`not a lock the merger can read: ${error instanceof Error ? error.message : String(error)}`] };
    }
    if (r.ok) out.push({ file, text: r.text, entries: r.entries });
    else findings.push({ file, findings: r.findings });
  }
  if (findings.length) return null;
  for (const s of out) writeFileSync(join(cwd, s.file), s.text);
  const add = await ctx.run('git', ['add', '--', ...out.map((s) => s.file)], { cwd });
  return add.exitCode === 0 ? out : null;
}
