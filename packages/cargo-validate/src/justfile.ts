import { readdirSync } from 'node:fs';

/**
 * The file names `just` looks for. It matches them case-insensitively (`Justfile`, `JUSTFILE`,
 * `.JustFile` all work; checked with just 1.57), so compare with isJustfileName, not by listing spellings.
 */
export const JUSTFILE_NAMES: readonly string[] = ['justfile', '.justfile'];

/** Is `name` (a bare file name) one `just` reads as a justfile? */
export function isJustfileName(name: string): boolean {
  return JUSTFILE_NAMES.includes(name.toLowerCase());
}

/** Does `dir` hold a justfile (any spelling `just` accepts)? False when `dir` cannot be read. */
export function hasJustfile(dir: string): boolean {
  try {
    return readdirSync(dir).some(isJustfileName);
  } catch {
    return false;
  }
}
