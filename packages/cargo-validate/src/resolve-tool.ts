import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errors, type RebaseDailyError } from '@rebase-daily/core';

export interface ResolveToolOptions {
  /** PATH to search; default process.env.PATH. */
  path?: string;
  /**
   * Directories whose `node_modules/.bin` (and every parent's) is searched after PATH. Default: the
   * repo, and this package's own install location (so the workspace's `rust-just` is found).
   */
  searchDirs?: string[];
}

/** How to install each tool we might need, for the one-line "not found" error. */
const INSTALL_HINTS: Record<string, string> = {
  just: 'install it with `npm i -D rust-just` (or `cargo install just`)',
  cargo: 'install Rust with rustup (https://rustup.rs)',
  rustfmt: 'install it with `rustup component add rustfmt`',
};

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** This module's folder, whether loaded as ESM source, ESM dist or CJS dist. */
function here(): string | null {
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return typeof __dirname === 'string' ? __dirname : null;
  }
}

/** The default search dirs: the current directory and this package's install location. */
export function defaultToolSearchDirs(): string[] {
  return [process.cwd(), here()].filter((d): d is string => Boolean(d));
}

/**
 * Find a program the way rebase-daily finds `gt`: an absolute or relative path as given, else PATH,
 * else `node_modules/.bin` in the search dirs and their parents (npm's `rust-just` puts `just` there).
 */
export function resolveTool(name: string, options: ResolveToolOptions = {}): string | null {
  if (name.includes('/') || name.includes('\\')) return existsSync(name) && isExecutable(name) ? resolve(name) : null;
  const pathVar = options.path ?? process.env.PATH ?? '';
  for (const dir of pathVar.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    if (existsSync(candidate) && isExecutable(candidate)) return candidate;
  }
  const starts = options.searchDirs ?? defaultToolSearchDirs();
  for (const start of starts) {
    let dir = isAbsolute(start) ? start : resolve(start);
    for (;;) {
      const candidate = join(dir, 'node_modules', '.bin', name);
      if (existsSync(candidate) && isExecutable(candidate)) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return null;
}

/** E_TOOL_MISSING with the install hint for `name`. */
export function toolMissingError(name: string, neededFor: string): RebaseDailyError {
  const hint = INSTALL_HINTS[name] ?? `install it or put it on PATH`;
  return errors.toolMissing(`${name} not found on PATH or in node_modules/.bin (needed for ${neededFor}); ${hint}`, { tool: name });
}
