import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { inheritsWorkspaceVersion, parseToml } from './cargo-manifest.js';

export interface WorkspaceMember {
  name: string;
  /** Directory relative to the workspace root ('' for a root package). */
  dir: string;
  /** `version.workspace = true`: the member's version follows `[workspace.package] version`. */
  inherits: boolean;
}

const segmentRegex = (segment: string) =>
  new RegExp(`^${segment.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);

/** Expand one `members` pattern (`crates/*`, `cli`) to directories holding a Cargo.toml. `**` is not supported. */
function expand(root: string, pattern: string): string[] {
  let dirs = [root];
  for (const segment of pattern.split('/').filter((s) => s && s !== '.')) {
    const next: string[] = [];
    for (const dir of dirs) {
      if (!/[*?[]/.test(segment)) {
        const p = join(dir, segment);
        if (existsSync(p) && statSync(p).isDirectory()) next.push(p);
        continue;
      }
      const re = segmentRegex(segment);
      for (const name of existsSync(dir) ? readdirSync(dir).sort() : []) {
        const p = join(dir, name);
        if (re.test(name) && statSync(p).isDirectory()) next.push(p);
      }
    }
    dirs = next;
  }
  return dirs.filter((d) => existsSync(join(d, 'Cargo.toml')));
}

/** The workspace members of the manifest at `manifestPath` (and the root package, if there is one). */
export function workspaceMembers(manifestPath: string): WorkspaceMember[] {
  const root = dirname(resolve(manifestPath));
  const doc = parseToml(readFileSync(manifestPath, 'utf8'));
  const ws = (doc.workspace ?? {}) as { members?: string[]; exclude?: string[] };
  const excluded = new Set((ws.exclude ?? []).map((e) => resolve(root, e)));
  const dirs = new Set<string>();
  if (doc.package) dirs.add(root);
  for (const pattern of ws.members ?? []) for (const d of expand(root, pattern)) if (!excluded.has(d)) dirs.add(d);
  const out: WorkspaceMember[] = [];
  for (const dir of dirs) {
    const info = inheritsWorkspaceVersion(readFileSync(join(dir, 'Cargo.toml'), 'utf8'));
    if (info) out.push({ name: info.name, dir: relative(root, dir), inherits: info.inherits });
  }
  return out;
}
