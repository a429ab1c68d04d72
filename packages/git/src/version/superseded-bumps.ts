import type { Runner } from '@rebase-daily/core';
import { parseCatFileBatch } from '../engine/commit-object.js';
import { patchPaths } from '../engine/replay-check.js';
import { parseToml } from './cargo-manifest.js';
import type { VersionConfig } from './upstream-version.js';

/** The trailer rebase-daily's own bump commits carry: `Rebase-Daily-Bump: <version>`. */
export const BUMP_TRAILER = 'Rebase-Daily-Bump';

/** A queue commit left out of the replay because a fresh bump replaces it. */
export interface SupersededCommit {
  sha: string;
  subject: string;
  /** Why it counts as a bump: the trailer, or the subject pattern plus a version-only diff. */
  reason: string;
}

export interface SupersedeScan {
  /** Dropped from the replay, oldest first. */
  superseded: SupersededCommit[];
  /** Subject matched a bump pattern but the diff is more than a version change: replayed as usual. */
  refused: SupersededCommit[];
}

export interface BumpLogEntry {
  sha: string;
  subject: string;
  /** Value of the Rebase-Daily-Bump trailer, or null. */
  trailer: string | null;
}

/** The `git log` format parseBumpLog reads: record separator, SHA, subject, trailer value. */
export const BUMP_LOG_FORMAT = `%x1e%H%x00%s%x00%(trailers:key=${BUMP_TRAILER},valueonly,separator=%x2C)`;

/** Parse `git log --format=<BUMP_LOG_FORMAT>` output. Pure. */
export function parseBumpLog(stdout: string): BumpLogEntry[] {
  return stdout
    .split('\x1e')
    .filter((r) => r.trim())
    .map((r) => {
      const [sha, subject = '', trailer = ''] = r.split('\0');
      const value = trailer.trim();
      return { sha: sha.trim(), subject, trailer: value ? value : null };
    });
}

/** The subject regexes that mark a hand-made bump: `version.supersede`, plus the tool's own `commitMessage` template. */
export function bumpSubjectPatterns(version: VersionConfig): RegExp[] {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const own = new RegExp(`^${version.commitMessage.split('{version}').map(escape).join('\\S+')}$`);
  return [own, ...(version.supersede ?? []).map((p) => new RegExp(p))];
}

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A manifest with the package and workspace version fields removed. */
function withoutManifestVersions(doc: Table): Table {
  if (isTable(doc.package)) delete doc.package.version;
  if (isTable(doc.workspace) && isTable(doc.workspace.package)) delete doc.workspace.package.version;
  return doc;
}

/** A lock with the versions of local packages (no `source`) removed, in their entries and in `"name version"` references. */
function withoutLockVersions(doc: Table): Table {
  const packages = Array.isArray(doc.package) ? (doc.package as Table[]) : [];
  const local = new Set(packages.filter((p) => p.source === undefined && typeof p.name === 'string').map((p) => p.name as string));
  for (const p of packages) {
    if (p.source === undefined) delete p.version;
    if (Array.isArray(p.dependencies)) {
      p.dependencies = p.dependencies.map((d: unknown) => {
        if (typeof d !== 'string') return d;
        const parts = d.split(' ');
        return parts.length === 2 && local.has(parts[0]) ? parts[0] : d;
      });
    }
  }
  return doc;
}

/**
 * Does the change of `path` from `before` to `after` touch nothing but version fields? For a
 * `Cargo.toml`: `[package] version` and `[workspace.package] version`; for a `Cargo.lock`: the
 * versions of local packages and the `"name version"` references to them. Returns null when so, else
 * why not. Pure: compares the parsed documents with those fields removed.
 */
export function versionOnlyChange(path: string, before: string, after: string): string | null {
  const file = path.split('/').pop();
  if (file !== 'Cargo.toml' && file !== 'Cargo.lock') return `changes ${path}, which is neither a Cargo.toml nor a Cargo.lock`;
  const strip = file === 'Cargo.toml' ? withoutManifestVersions : withoutLockVersions;
  try {
    if (JSON.stringify(strip(parseToml(before))) !== JSON.stringify(strip(parseToml(after)))) return `changes more than version fields in ${path}`;
  } catch (err) {
    // Read after "… but it ": a verb phrase, like the other reasons.
    return `leaves ${path} not valid TOML (${(err as Error).message.split('\n')[0]})`;
  }
  return null;
}

/**
 * The bump commits among trunk's own commits (`upstream..trunk`) that a fresh bump supersedes:
 * rebase-daily's own (the Rebase-Daily-Bump trailer), and hand-made ones whose subject matches
 * `version.supersede` (or the `commitMessage` template, for bumps made before the trailer existed)
 * and whose diff changes only version fields of Cargo.toml / Cargo.lock files. Empty when version
 * bumps are off: then no new bump will be written and nothing is superseded.
 */
export async function findSupersededBumps(run: Runner, repo: string, upstream: string, trunk: string, version: VersionConfig | undefined): Promise<SupersedeScan> {
  const scan: SupersedeScan = { superseded: [], refused: [] };
  if (!version) return scan;
  const log = await run('git', ['log', '--reverse', '--no-merges', `--format=${BUMP_LOG_FORMAT}`, `${upstream}..${trunk}`, '--'], { cwd: repo, raw: true });
  if (log.exitCode !== 0) throw new Error(`git log ${upstream.slice(0, 12)}..${trunk.slice(0, 12)} failed (exit ${log.exitCode}): ${log.stderr.trim()}`);
  const patterns = bumpSubjectPatterns(version);
  const candidates: BumpLogEntry[] = [];
  for (const c of parseBumpLog(log.stdout)) {
    if (c.trailer !== null) scan.superseded.push({ sha: c.sha, subject: c.subject, reason: `${BUMP_TRAILER}: ${c.trailer}` });
    else if (patterns.some((p) => p.test(c.subject))) candidates.push(c);
  }
  if (candidates.length === 0) return scan;
  const paths = await patchPaths(run, repo, candidates.map((c) => c.sha), { timeoutMs: undefined });
  const blobs: string[] = [];
  const verdict = new Map<string, string | null>();
  for (const c of candidates) {
    const list = paths.get(c.sha) ?? [];
    const bad = list.find((p) => p.status !== 'M' || !/(^|\/)Cargo\.(toml|lock)$/.test(p.path));
    verdict.set(c.sha, list.length === 0 ? 'changes no file' : bad ? `${bad.status === 'M' ? 'changes' : 'adds, deletes or retypes'} ${bad.path}` : null);
    if (!verdict.get(c.sha)) for (const p of list) blobs.push(`${c.sha}^:${p.path}`, `${c.sha}:${p.path}`);
  }
  const texts = blobs.length ? await catBlobs(run, repo, blobs) : new Map<string, string>();
  for (const c of candidates) {
    let why = verdict.get(c.sha) ?? null;
    for (const p of why ? [] : (paths.get(c.sha) ?? [])) {
      why = versionOnlyChange(p.path, texts.get(`${c.sha}^:${p.path}`) ?? '', texts.get(`${c.sha}:${p.path}`) ?? '');
      if (why) break;
    }
    const pattern = patterns.find((p) => p.test(c.subject));
    if (why) scan.refused.push({ sha: c.sha, subject: c.subject, reason: `subject matches /${pattern?.source}/ but it ${why}` });
    else scan.superseded.push({ sha: c.sha, subject: c.subject, reason: `subject matches /${pattern?.source}/ and it changes only version fields` });
  }
  const order = new Map(parseBumpLog(log.stdout).map((c, i) => [c.sha, i]));
  scan.superseded.sort((a, b) => (order.get(a.sha) ?? 0) - (order.get(b.sha) ?? 0));
  return scan;
}

/** Read blobs by `<rev>:<path>` names in one `git cat-file --batch`; a map by name. */
async function catBlobs(run: Runner, repo: string, names: readonly string[]): Promise<Map<string, string>> {
  const r = await run('git', ['cat-file', '--batch'], { cwd: repo, input: `${names.join('\n')}\n`, raw: true });
  if (r.exitCode !== 0) throw new Error(`git cat-file --batch failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  const objects = parseCatFileBatch(r.stdout);
  return new Map(names.map((n, i) => [n, objects[i]?.body ?? '']));
}
