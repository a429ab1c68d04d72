import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errors, findTool, type RebaseDailyError } from '@rebase-daily/core';

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
 * Find a program with core's one tool lookup (`findTool`): a path as given, else PATH, else
 * `node_modules/.bin` in the search dirs and their parents (npm's `rust-just` puts `just` there).
 */
export function resolveTool(name: string, options: ResolveToolOptions = {}): string | null {
  return findTool(name, { pathEnv: options.path, searchFrom: options.searchDirs ?? defaultToolSearchDirs() })?.path ?? null;
}

/** E_TOOL_MISSING with the install hint for `name`. */
export function toolMissingError(name: string, neededFor: string): RebaseDailyError {
  const hint = INSTALL_HINTS[name] ?? `install it or put it on PATH`;
  return errors.toolMissing(`${name} not found on PATH or in node_modules/.bin (needed for ${neededFor}); ${hint}`, { tool: name });
}
