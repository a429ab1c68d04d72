import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shellQuote } from '@rebase-daily/core';

/** This module's folder (src/ in tests, dist/ when built). */
export function cliModuleDir(): string {
  return dirname(fileURLToPath(import.meta.url));
}

/** The rebase-daily workspace (the folder holding tools/rebase/daily.mjs) this CLI runs from, if any. */
export function workspaceRoot(from = cliModuleDir()): string | null {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'tools', 'rebase', 'daily.mjs'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/**
 * How an operator invokes this CLI: $REBASE_DAILY_CLI, else `node <this bin.js>` when running from
 * the built bin (so rendered commands work from any cwd), else `npx rebase-daily`.
 */
export function cliInvocation(env: NodeJS.ProcessEnv, script = process.argv[1]): string {
  if (env.REBASE_DAILY_CLI) return env.REBASE_DAILY_CLI;
  if (script) {
    try {
      const real = realpathSync(script);
      if (/[\\/]cli[\\/]dist[\\/]bin\.js$/.test(real)) return `node ${shellQuote(real)}`;
    } catch {
      // not a file: fall through
    }
  }
  return 'npx rebase-daily';
}
