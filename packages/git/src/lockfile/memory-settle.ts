import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { LockFinding, LockMerge, PolicyDecision, Runner } from '@rebase-daily/core';
import { parseCatFileBatch } from '../engine/commit-object.js';
import type { SettleStop } from '../engine/replay.js';
import { subjectOf } from '../engine/replay.js';
import { type FilePlan, planStop, type Settlement, type SettleRules, settlePlans } from './settle-plan.js';

export interface LockSettler {
  /** For `ReplayOptions.settle`: the settled tree, or null (the stop stands). */
  settle: (stop: SettleStop) => Promise<string | null>;
  /** The locks merged so far, in replay order. */
  readonly merges: LockMerge[];
  /** The files `conflicts.policy` decided so far, in replay order. */
  readonly decisions: PolicyDecision[];
  /** Why the last stop the tool would settle could not be settled (empty when it was, or was the user's). */
  readonly findings: LockFinding[];
}

/** Conflict types per path, from merge-tree's messages. */
export function conflictTypesOf(conflicts: readonly { paths: string[]; type: string }[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const c of conflicts) for (const p of c.paths) map.set(p, [...(map.get(p) ?? []), c.type]);
  return map;
}

/** Would the tool settle this merge-tree stop (lock files, policy paths)? */
export function settleableStop(files: readonly string[], conflicts: readonly { paths: string[]; type: string }[], rules: SettleRules): boolean {
  const types = conflictTypesOf(conflicts);
  return planStop(files, (f) => types.get(f) ?? ['CONFLICT (contents)'], rules) !== null;
}

/**
 * The memory engine's settler: when a replayed commit conflicts only in files the tool may settle
 * (lock files `conflicts.mechanical` lists, paths `conflicts.policy` names), settle each (base: the
 * commit's parent, ours: the tip, theirs: the commit; lock member versions from the manifests of
 * merge-tree's tree) and write a tree with the results in place of the conflicted files — under the
 * replay's environment, so in verify everything stays in the temporary object directory.
 */
export function memoryLockSettler(run: Runner, repo: string, options: SettleRules & { queueLength: number; timeoutMs?: number }): LockSettler {
  const merges: LockMerge[] = [];
  const decisions: PolicyDecision[] = [];
  const findings: LockFinding[] = [];
  const settle = async (stop: SettleStop): Promise<string | null> => {
    findings.length = 0;
    const types = conflictTypesOf(stop.merged.conflicts);
    const plans = planStop(stop.merged.files, (f) => types.get(f) ?? ['CONFLICT (contents)'], options);
    if (!plans) return null;
    const call = { cwd: repo, env: stop.env, timeoutMs: options.timeoutMs };
    const listing = await run('git', ['ls-tree', '-r', '-z', '--full-tree', stop.merged.tree], { ...call, raw: true });
    if (listing.exitCode !== 0) return null;
    const entries = listing.stdout
      .split('\0')
      .filter(Boolean)
      .map((l) => {
        const [meta, path] = [l.slice(0, l.indexOf('\t')), l.slice(l.indexOf('\t') + 1)];
        const [mode, , sha] = meta.split(' ');
        return { mode, sha, path };
      });
    const read = plans.filter((p) => !(p.kind === 'policy' && p.rule.rule === 'removed')).map((p) => p.file);
    const manifests = plans.some((p) => p.kind === 'lock') ? entries.filter((e) => basename(e.path) === 'Cargo.toml') : [];
    const requests = [...read.flatMap((f) => [`${stop.base}:${f}`, `${stop.ours}:${f}`, `${stop.theirs}:${f}`]), ...manifests.map((m) => m.sha)];
    let bodies: string[] = [];
    if (requests.length) {
      const batch = await run('git', ['cat-file', '--batch'], { ...call, input: `${requests.join('\n')}\n`, raw: true });
      try {
        if (batch.exitCode !== 0) throw new Error(batch.stderr.trim());
        bodies = parseCatFileBatch(batch.stdout).map((o) => o.body);
      } catch (error) {
        for (const file of read) findings.push({ file, findings: [`could not read the three versions: ${error instanceof Error ? error.message : String(error)}`] });
        return null;
      }
    }
    const sides = (file: string) => {
      const i = read.indexOf(file);
      return { base: bodies[i * 3], ours: bodies[i * 3 + 1], theirs: bodies[i * 3 + 2] };
    };
    const manifestTexts = manifests.map((m, i) => ({ path: m.path, text: bodies[read.length * 3 + i] }));
    const settled = await settlePlans(run, plans, sides, manifestTexts);
    if (!settled.ok) {
      findings.push(...settled.findings);
      return null;
    }
    const tree = await treeWith(run, repo, stop, settled.settlement, entries);
    if (!tree) return null;
    record(stop, settled.settlement, options.queueLength, merges, decisions);
    return tree;
  };
  return { settle, merges, decisions, findings };
}

function record(stop: SettleStop, s: Settlement, queueLength: number, merges: LockMerge[], decisions: PolicyDecision[]): void {
  const at = { patch: { sha: stop.commit.sha, subject: subjectOf(stop.commit.message) }, position: stop.index + 1, queueLength };
  for (const m of s.merges) merges.push({ ...at, ...m });
  for (const d of s.decisions) decisions.push({ ...at, ...d });
}

/** merge-tree's tree with the settled files in place of the conflicted ones (a temporary index; objects under the replay's env). */
async function treeWith(run: Runner, repo: string, stop: SettleStop, s: Settlement, entries: readonly { mode: string; path: string }[], timeoutMs?: number): Promise<string | null> {
  const dir = mkdtempSync(join(tmpdir(), 'rebase-daily-index-'));
  const env = { ...stop.env, GIT_INDEX_FILE: join(dir, 'index') };
  const call = { cwd: repo, env, timeoutMs };
  try {
    const infos: string[] = [];
    for (const f of s.writes) {
      const blob = await run('git', ['hash-object', '-w', '--stdin'], { ...call, input: f.text });
      if (blob.exitCode !== 0) return null;
      infos.push(`${entries.find((e) => e.path === f.file)?.mode ?? '100644'} ${blob.stdout.trim()}\t${f.file}`);
    }
    // Mode 0 removes the path from the index (`update-index --index-info`).
    for (const f of s.removes) infos.push(`0 ${'0'.repeat(40)}\t${f}`);
    if ((await run('git', ['read-tree', stop.merged.tree], call)).exitCode !== 0) return null;
    if ((await run('git', ['update-index', '--index-info'], { ...call, input: `${infos.join('\n')}\n` })).exitCode !== 0) return null;
    const tree = await run('git', ['write-tree'], call);
    return tree.exitCode === 0 ? tree.stdout.trim() : null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type { FilePlan };
