import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { LockFinding, LockMerge, Runner } from '@rebase-daily/core';
import { parseCatFileBatch } from '../engine/commit-object.js';
import type { SettleStop } from '../engine/replay.js';
import { subjectOf } from '../engine/replay.js';
import { parseToml } from '../version/cargo-manifest.js';
import { mechanicalStop, memberVersions, mergerFor } from './mechanical.js';

export interface LockSettler {
  /** For `ReplayOptions.settle`: the settled tree, or null (the stop stands). */
  settle: (stop: SettleStop) => Promise<string | null>;
  /** The locks merged so far, in replay order. */
  readonly merges: LockMerge[];
  /** Why the last lock-only stop could not be settled (empty when it was, or was not lock-only). */
  readonly findings: LockFinding[];
}

/** Conflict types per path, from merge-tree's messages. */
export function conflictTypesOf(conflicts: readonly { paths: string[]; type: string }[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const c of conflicts) for (const p of c.paths) map.set(p, [...(map.get(p) ?? []), c.type]);
  return map;
}

/**
 * The memory engine's lock settler: when a replayed commit conflicts only in lock files that
 * `conflicts.mechanical` lists, merge each by structure (base: the commit's parent, ours: the tip,
 * theirs: the commit; member versions from the manifests of merge-tree's tree), write the merged
 * blob and a tree with it in place of the conflicted one — under the replay's environment, so in
 * verify everything stays in the temporary object directory.
 */
export function memoryLockSettler(run: Runner, repo: string, options: { mechanical: readonly string[]; queueLength: number; timeoutMs?: number }): LockSettler {
  const merges: LockMerge[] = [];
  const findings: LockFinding[] = [];
  const settle = async (stop: SettleStop): Promise<string | null> => {
    findings.length = 0;
    const { files } = stop.merged;
    if (!mechanicalStop(files, conflictTypesOf(stop.merged.conflicts), options.mechanical)) return null;
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
    const manifests = entries.filter((e) => basename(e.path) === 'Cargo.toml');
    const requests = [...files.flatMap((f) => [`${stop.base}:${f}`, `${stop.ours}:${f}`, `${stop.theirs}:${f}`]), ...manifests.map((m) => m.sha)];
    const batch = await run('git', ['cat-file', '--batch'], { ...call, input: `${requests.join('\n')}\n`, raw: true });
    let bodies: string[];
    try {
      if (batch.exitCode !== 0) throw new Error(batch.stderr.trim());
      bodies = parseCatFileBatch(batch.stdout).map((o) => o.body);
    } catch (error) {
      for (const file of files) findings.push({ file, findings: [`could not read the three versions: ${error instanceof Error ? error.message : String(error)}`] });
      return null;
    }
    const manifestTexts = manifests.map((m, i) => ({ path: m.path, text: bodies[files.length * 3 + i] }));
    const settled: { file: string; text: string; mode: string; entries: LockMerge['entries'] }[] = [];
    for (const [i, file] of files.entries()) {
      const merger = mergerFor(file, options.mechanical);
      if (!merger) return null;
      let r;
      try {
        r = merger.merge({ base: bodies[i * 3], ours: bodies[i * 3 + 1], theirs: bodies[i * 3 + 2], members: memberVersions(file, manifestTexts, parseToml) });
      } catch (error) {
        r = { ok: false as const, findings: [`not a lock the merger can read: ${error instanceof Error ? error.message : String(error)}`] };
      }
      if (!r.ok) findings.push({ file, findings: r.findings });
      else settled.push({ file, text: r.text, mode: entries.find((e) => e.path === file)?.mode ?? '100644', entries: r.entries });
    }
    if (findings.length) return null;
    const tree = await treeWith(run, repo, stop, settled, options.timeoutMs);
    if (!tree) return null;
    for (const s of settled) merges.push({ patch: { sha: stop.commit.sha, subject: subjectOf(stop.commit.message) }, position: stop.index + 1, queueLength: options.queueLength, file: s.file, entries: s.entries });
    return tree;
  };
  return { settle, merges, findings };
}

/** merge-tree's tree with the merged locks in place of the conflicted ones (a temporary index; objects under the replay's env). */
async function treeWith(run: Runner, repo: string, stop: SettleStop, files: readonly { file: string; text: string; mode: string }[], timeoutMs?: number): Promise<string | null> {
  const dir = mkdtempSync(join(tmpdir(), 'rebase-daily-index-'));
  const env = { ...stop.env, GIT_INDEX_FILE: join(dir, 'index') };
  const call = { cwd: repo, env, timeoutMs };
  try {
    const infos: string[] = [];
    for (const f of files) {
      const blob = await run('git', ['hash-object', '-w', '--stdin'], { ...call, input: f.text });
      if (blob.exitCode !== 0) return null;
      infos.push(`${f.mode} ${blob.stdout.trim()}\t${f.file}`);
    }
    if ((await run('git', ['read-tree', stop.merged.tree], call)).exitCode !== 0) return null;
    if ((await run('git', ['update-index', '--index-info'], { ...call, input: `${infos.join('\n')}\n` })).exitCode !== 0) return null;
    const tree = await run('git', ['write-tree'], call);
    return tree.exitCode === 0 ? tree.stdout.trim() : null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
