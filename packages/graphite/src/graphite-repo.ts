import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitDir, type Runner } from '@rebase-daily/core';

export interface GraphiteRepoConfig {
  /** Path of .graphite_repo_config (in the common git dir, shared by all worktrees). */
  path: string;
  trunk: string | null;
  /** The metadata database gt 1.8 keeps beside it (may not exist yet). */
  metadataDb: string;
}

/** Parse the JSON of `.git/.graphite_repo_config`; the trunk is `trunk`, else the first of `trunks`. */
export function parseGraphiteRepoConfig(text: string): { trunk: string | null } {
  try {
    const raw = JSON.parse(text) as { trunk?: unknown; trunks?: { name?: unknown }[] };
    if (typeof raw.trunk === 'string' && raw.trunk) return { trunk: raw.trunk };
    const first = Array.isArray(raw.trunks) ? raw.trunks.find((t) => typeof t?.name === 'string') : undefined;
    return { trunk: first ? String(first.name) : null };
  } catch {
    return { trunk: null };
  }
}

/** Is this a Graphite repo? null when `.graphite_repo_config` is absent (gt was never initialised here). */
export async function readGraphiteRepo(run: Runner, repo: string): Promise<GraphiteRepoConfig | null> {
  const common = await gitDir(run, repo, '--git-common-dir');
  if (!common) return null;
  const path = join(common, '.graphite_repo_config');
  if (!existsSync(path)) return null;
  return { path, trunk: parseGraphiteRepoConfig(readFileSync(path, 'utf8')).trunk, metadataDb: join(common, '.graphite_metadata.db') };
}
