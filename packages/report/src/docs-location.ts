import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

export interface DocsLocation {
  dir: string;
  runbook: string;
  gotchas: string;
  updating: string;
}

/** The docs files a report names (shipped in `@rebase-daily/cli` under `dist/docs/`). */
export const DOC_FILES = { runbook: 'runbook.md', gotchas: 'gotchas.md', updating: 'UPDATING.md' } as const;

function located(dir: string): DocsLocation | null {
  const files = { runbook: join(dir, DOC_FILES.runbook), gotchas: join(dir, DOC_FILES.gotchas), updating: join(dir, DOC_FILES.updating) };
  return Object.values(files).every((f) => existsSync(f)) ? { dir, ...files } : null;
}

/**
 * Where this install's docs are, so next actions can name a runbook file that exists: an explicit
 * folder (`REBASE_DAILY_DOCS_DIR`), else the docs the CLI package ships (`dist/docs/`, copied at its
 * build), else the workspace's `docs/` beside it (a checkout that was not built). null when none
 * has them all: the report then names no file rather than one that does not exist.
 */
export function findDocs(env: NodeJS.ProcessEnv = process.env): DocsLocation | null {
  if (env.REBASE_DAILY_DOCS_DIR) return located(resolve(env.REBASE_DAILY_DOCS_DIR));
  let cli: string | null = null;
  try {
    // The CLI depends on this package, not the reverse: resolved at run time, found when installed.
    cli = dirname(createRequire(moduleFile()).resolve('@rebase-daily/cli/package.json'));
  } catch {
    cli = null;
  }
  if (!cli) return null;
  return located(join(cli, 'dist', 'docs')) ?? located(resolve(cli, '..', '..', 'docs'));
}

function moduleFile(): string {
  // ESM and CJS builds alike: import.meta.url is rewritten by tsup for CJS.
  return typeof __filename === 'string' ? __filename : new URL(import.meta.url).pathname;
}
