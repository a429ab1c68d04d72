import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
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

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** This module's folder, whether loaded as ESM source, ESM dist or CJS dist. */
export function packageDir(): string | null {
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return typeof __dirname === 'string' ? __dirname : null;
  }
}

/**
 * Find `gt`: graphite.bin when configured (and only there: a configured path that is missing is
 * an error, not a reason to pick another gt), else PATH, else `node_modules/.bin/gt` searched
 * upward from each of `searchFrom` (the repo, then this package's own install location).
 */
export function resolveGt(options: ResolveGtOptions = {}): GtResolution | null {
  const { bin } = options;
  if (bin && (bin.includes('/') || bin.includes('\\'))) {
    const full = isAbsolute(bin) ? bin : resolve(options.baseDir ?? process.cwd(), bin);
    return isExecutableFile(full) ? { path: full, source: 'config' } : null;
  }
  const name = bin ?? 'gt';
  for (const dir of (options.pathEnv ?? process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return { path: candidate, source: bin ? 'config' : 'path' };
  }
  const starts = options.searchFrom ?? [packageDir()].filter((d): d is string => Boolean(d));
  for (const start of starts) {
    let dir = resolve(start);
    for (;;) {
      const candidate = join(dir, 'node_modules', '.bin', name);
      if (isExecutableFile(candidate)) return { path: candidate, source: 'workspace' };
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return null;
}

/**
 * Environment for every gt call: never stop to ask about upgrades (an unattended run has nobody to
 * answer), no colour codes in output we parse.
 */
export const GT_ENV: NodeJS.ProcessEnv = { GRAPHITE_DISABLE_UPGRADE_PROMPT: '1', NO_COLOR: '1', FORCE_COLOR: '0' };
