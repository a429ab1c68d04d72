import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';

export interface FindToolOptions {
  /** PATH to search; default process.env.PATH. */
  pathEnv?: string;
  /** Folders whose `node_modules/.bin` (and every parent's) is searched after PATH. */
  searchFrom?: readonly string[];
  /** Against what a relative path with a slash resolves; default the current directory. */
  baseDir?: string;
}

export interface FoundTool {
  path: string;
  /** Where it came from: a path given as such, PATH, or a workspace's `node_modules/.bin`. */
  source: 'given' | 'path' | 'workspace';
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The one lookup of a tool binary (`gt`, `cargo`, `just`, …): a name with a slash is a path (relative
 * to `baseDir`) and only that path — a configured path that is missing is no reason to pick another
 * binary —, else the first executable file named so on PATH, else `node_modules/.bin/<name>` searched
 * upward from each of `searchFrom` (npm puts `gt` and `rust-just`'s `just` there).
 */
export function findTool(name: string, options: FindToolOptions = {}): FoundTool | null {
  if (name.includes('/') || name.includes('\\')) {
    const full = isAbsolute(name) ? name : resolve(options.baseDir ?? process.cwd(), name);
    return isExecutableFile(full) ? { path: full, source: 'given' } : null;
  }
  for (const dir of (options.pathEnv ?? process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return { path: candidate, source: 'path' };
  }
  for (const start of options.searchFrom ?? []) {
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
