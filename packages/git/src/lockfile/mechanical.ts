import { basename, posix } from 'node:path';
import { cargoLockMerger } from './cargo-lock.js';
import type { LockMerger } from './lock-merger.js';

/** Every lock merger the tool has, by file name. */
const MERGERS: readonly LockMerger[] = [cargoLockMerger];

/**
 * The merger for a conflicted `path`, when `conflicts.mechanical` lists it (by file name, or by its
 * path in the repository) and the tool has a merger for its file name; else undefined.
 */
export function mergerFor(path: string, mechanical: readonly string[]): LockMerger | undefined {
  const name = basename(path);
  if (!mechanical.includes(name) && !mechanical.includes(path)) return undefined;
  return MERGERS.find((m) => m.fileName === name);
}

/**
 * Workspace member versions after the merge, from the manifests beside and below the lock
 * (`<lock dir>/Cargo.toml` is the workspace root; its `[workspace.package] version` is what
 * `version.workspace = true` inherits; a manifest without a version is cargo's 0.0.0).
 */
export function memberVersions(lockPath: string, manifests: readonly { path: string; text: string }[], parse: (text: string) => Record<string, unknown>): Map<string, string> {
  const dir = posix.dirname(lockPath);
  const under = (p: string) => dir === '.' || p.startsWith(`${dir}/`);
  const table = (v: unknown) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const docs = manifests.filter((m) => under(m.path)).map((m) => {
    try {
      return { path: m.path, doc: parse(m.text) };
    } catch {
      return { path: m.path, doc: {} };
    }
  });
  const root = docs.find((d) => d.path === (dir === '.' ? 'Cargo.toml' : `${dir}/Cargo.toml`));
  const wsVersion = table(table(root?.doc.workspace).package).version;
  const out = new Map<string, string>();
  const seen = new Set<string>();
  for (const { doc } of docs) {
    const pkg = table(doc.package);
    if (typeof pkg.name !== 'string') continue;
    const v = pkg.version;
    const version = typeof v === 'string' ? v : table(v).workspace === true && typeof wsVersion === 'string' ? wsVersion : v === undefined ? '0.0.0' : undefined;
    // Two manifests with one name: which one the lock means is unknown; leave the name out.
    if (seen.has(pkg.name)) out.delete(pkg.name);
    else if (version !== undefined) out.set(pkg.name, version);
    seen.add(pkg.name);
  }
  return out;
}
