import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
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
 * The installed command this process runs as (`<prefix>/bin/rebase-daily`, put there by
 * `npm install -g ./packages/cli`): argv[1] as invoked, not its target, so a later reinstall or
 * rebuild is what the scheduler runs. null when run as `node …/bin.js`, through npx or a
 * project's node_modules/.bin.
 */
export function installedBinary(script = process.argv[1]): string | null {
  if (!script || !isAbsolute(script) || basename(script) !== 'rebase-daily' || /[\\/]node_modules[\\/]\.bin[\\/]/.test(script)) return null;
  return existsSync(script) ? script : null;
}

/**
 * How an operator invokes this CLI: $REBASE_DAILY_CLI, else the installed `rebase-daily`, else `node <this bin.js>` when running from
 * the built bin (so rendered commands work from any cwd), else `npx rebase-daily`.
 */
export function cliInvocation(env: NodeJS.ProcessEnv, script = process.argv[1]): string {
  if (env.REBASE_DAILY_CLI) return env.REBASE_DAILY_CLI;
  const installed = installedBinary(script);
  if (installed) return shellQuote(installed);
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
