import { dirname } from 'node:path';
import { findTool } from '@rebase-daily/core';
import { fileURLToPath } from 'node:url';

export interface GtResolution {
  path: string;
  /** Where it came from: graphite.bin in the config, PATH, or a workspace's node_modules/.bin. */
  source: 'config' | 'path' | 'workspace';
}

export interface ResolveGtOptions {
  /** graphite.bin from the config: a path (relative to `baseDir`) or a bare program name. */
  bin?: string;
  /** Against what a relative `bin` resolves (the config file's folder). */
  baseDir?: string;
  /** PATH to search; default process.env.PATH. */
  pathEnv?: string;
  /** Folders whose node_modules/.bin (and every parent's) is searched after PATH. Default: this package's location. */
  searchFrom?: string[];
}

/** The one-line install hint shown when gt cannot be found. */
export const GT_INSTALL_HINT =
  'install the Graphite CLI with `npm install --save-dev @withgraphite/graphite-cli` in the workspace (or `npm install -g @withgraphite/graphite-cli`), or set graphite.bin in the config';

/** This module's folder, whether loaded as ESM source, ESM dist or CJS dist. */
export function packageDir(): string | null {
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return typeof __dirname === 'string' ? __dirname : null;
  }
}

/**
 * Find `gt` with core's one tool lookup (`findTool`): graphite.bin when configured (and only there: a
 * configured path that is missing is an error, not a reason to pick another gt), else PATH, else
 * `node_modules/.bin/gt` searched upward from each of `searchFrom` (the repo, then this package's own
 * install location).
 */
export function resolveGt(options: ResolveGtOptions = {}): GtResolution | null {
  const { bin } = options;
  const found = findTool(bin ?? 'gt', { baseDir: options.baseDir, pathEnv: options.pathEnv, searchFrom: options.searchFrom ?? [packageDir()].filter((d): d is string => Boolean(d)) });
  if (!found) return null;
  return { path: found.path, source: found.source === 'workspace' ? 'workspace' : bin ? 'config' : 'path' };
}

/**
 * Environment for every gt call: never stop to ask about upgrades (an unattended run has nobody to
 * answer), no colour codes in output we parse.
 */
export const GT_ENV: NodeJS.ProcessEnv = { GRAPHITE_DISABLE_UPGRADE_PROMPT: '1', NO_COLOR: '1', FORCE_COLOR: '0' };
