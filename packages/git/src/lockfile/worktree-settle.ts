import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type CommandResult, gitDir, type LockFinding, type LockMerge, type Patch, type PolicyDecision, revParse, type StageContext } from '@rebase-daily/core';
import { parseCatFileBatch } from '../engine/commit-object.js';
import { conflictedFiles, recordedRebase } from '../engine/git-ops.js';
import { readRebaseStop } from '../engine/rebase-conflict.js';
import { isRebasing } from '../engine/rebase-state.js';
import { planStop, type Settlement, type SettleRules, settlePlans } from './settle-plan.js';

export interface SettledRebase {
  /** The last rebase command's result: exit 0 when the rebase completed. */
  result: CommandResult;
  merges: LockMerge[];
  decisions: PolicyDecision[];
  findings: LockFinding[];
}

/**
 * The worktree engine's settling: `git rebase` (recorded, see recordedRebase), and while it stops
 * only on files the tool may settle (planStop: lock files with all three index stages, policy
 * paths), settle them (stage 1 base, stage 2 ours = the new base, stage 3 theirs = the patch;
 * member versions from the index's merged manifests), `git add`/`git rm` them and
 * `git rebase --continue`. Any other stop is returned as is, for the caller to describe and abort.
 */
export async function rebaseSettlingLocks(ctx: StageContext, cwd: string, onto: string, skip: readonly string[], options: SettleRules & { queue: readonly Patch[] }): Promise<SettledRebase> {
  const out: SettledRebase = { result: await recordedRebase(ctx, cwd, onto, skip), merges: [], decisions: [], findings: [] };
  while (out.result.exitCode !== 0 && (await isRebasing(ctx.run, cwd))) {
    const settlement = await settleStop(ctx, cwd, options, out.findings);
    if (!settlement) break;
    const dir = await gitDir(ctx.run, cwd);
    const stop = dir ? readRebaseStop(dir) : null;
    const sha = stop?.sha ? ((await revParse(ctx.run, cwd, stop.sha)) ?? stop.sha) : '';
    const index = options.queue.findIndex((p) => p.sha === sha);
    const at = { patch: { sha, subject: index >= 0 ? options.queue[index].subject : '' }, position: index >= 0 ? index + 1 : (stop?.msgnum ?? 0), queueLength: options.queue.length || (stop?.end ?? 0) };
    for (const m of settlement.merges) out.merges.push({ ...at, ...m });
    for (const d of settlement.decisions) out.decisions.push({ ...at, ...d });
    // GIT_EDITOR=true: the patch keeps its message, as a clean pick would.
    out.result = await ctx.run('git', ['rebase', '--continue'], { cwd, env: { GIT_EDITOR: 'true' } });
    if (out.result.exitCode === 0) ctx.unregisterTemporary('operation', cwd);
  }
  return out;
}

async function settleStop(ctx: StageContext, cwd: string, rules: SettleRules, findings: LockFinding[]): Promise<Settlement | null> {
  const files = await conflictedFiles(ctx.run, cwd);
  // A plain content conflict has stages 1, 2 and 3 (no add/add, no modify/delete).
  const unmerged = await ctx.run('git', ['ls-files', '-u', '-z', '--', ...files], { cwd, raw: true });
  const stages = new Map<string, Set<string>>();
  for (const line of unmerged.stdout.split('\0').filter(Boolean)) {
    const [meta, path] = [line.slice(0, line.indexOf('\t')), line.slice(line.indexOf('\t') + 1)];
    stages.set(path, (stages.get(path) ?? new Set()).add(meta.split(' ')[2]));
  }
  const typesOf = (f: string) => (['1', '2', '3'].every((s) => stages.get(f)?.has(s)) ? ['CONFLICT (contents)'] : ['CONFLICT (other)']);
  const plans = planStop(files, typesOf, rules);
  if (!plans) return null;
  const read = plans.filter((p) => !(p.kind === 'policy' && p.rule.rule === 'removed')).map((p) => p.file);
  let manifests: { sha: string; path: string }[] = [];
  if (plans.some((p) => p.kind === 'lock')) {
    const staged = await ctx.run('git', ['ls-files', '-s', '-z'], { cwd, raw: true });
    manifests = staged.stdout
      .split('\0')
      .filter(Boolean)
      .map((l) => ({ meta: l.slice(0, l.indexOf('\t')).split(' '), path: l.slice(l.indexOf('\t') + 1) }))
      .filter((e) => e.meta[2] === '0' && basename(e.path) === 'Cargo.toml')
      .map((e) => ({ sha: e.meta[1], path: e.path }));
  }
  const requests = [...read.flatMap((f) => [`:1:${f}`, `:2:${f}`, `:3:${f}`]), ...manifests.map((m) => m.sha)];
  let bodies: string[] = [];
  if (requests.length) {
    const batch = await ctx.run('git', ['cat-file', '--batch'], { cwd, input: `${requests.join('\n')}\n`, raw: true });
    if (batch.exitCode !== 0) return null;
    bodies = parseCatFileBatch(batch.stdout).map((o) => o.body);
  }
  const sides = (file: string) => {
    const i = read.indexOf(file);
    return { base: bodies[i * 3], ours: bodies[i * 3 + 1], theirs: bodies[i * 3 + 2] };
  };
  const settled = await settlePlans(ctx.run, plans, sides, manifests.map((m, i) => ({ path: m.path, text: bodies[read.length * 3 + i] })));
  if (!settled.ok) {
    findings.push(...settled.findings);
    return null;
  }
  const s = settled.settlement;
  for (const w of s.writes) writeFileSync(join(cwd, w.file), w.text);
  if (s.writes.length && (await ctx.run('git', ['add', '--', ...s.writes.map((w) => w.file)], { cwd })).exitCode !== 0) return null;
  if (s.removes.length && (await ctx.run('git', ['rm', '-q', '--ignore-unmatch', '--', ...s.removes], { cwd })).exitCode !== 0) return null;
  return s;
}
