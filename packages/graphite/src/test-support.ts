import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boundRunner, CommandLog, createRunState, nullProgress, parseConfig, type StageContext } from '@rebase-daily/core';
import { makeTempDir } from '@rebase-daily/core/testing';
import { workspaceGt } from './testing.js';

/**
 * Give this test process its own HOME so gt's user config, caches and debug logs neither leak in
 * from the machine nor out of the test. (gt unpacks its SQLite binding under HOME on first use.)
 */
export function isolateGtHome(): string {
  const home = makeTempDir('rebase-daily-gt-home-');
  process.env.HOME = home;
  process.env.GRAPHITE_DISABLE_TELEMETRY = '1';
  process.env.GRAPHITE_DISABLE_UPGRADE_PROMPT = '1';
  return home;
}

/** A StageContext over a real repo, with the command log kept for assertions. */
export function stageContext(root: string, raw: Record<string, unknown>): StageContext {
  const parsed = parseConfig(raw, join(root, 'rebase-daily.json'));
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const log = new CommandLog();
  const state = createRunState(parsed.config, { command: 'align', stages: ['align'] }, 'test-align');
  return {
    config: parsed.config,
    state,
    run: boundRunner(log),
    commandLog: log,
    progress: nullProgress,
    runDir: join(root, 'run'),
    signal: new AbortController().signal,
    registerTemporary() {},
    unregisterTemporary() {},
    recordCandidate(c) {
      state.candidates = [...state.candidates.filter((x) => x.branch !== c.branch), c];
    },
    recordUndoFile(f) {
      state.undoFiles = [...state.undoFiles.filter((x) => x.path !== f.path), f];
    },
  };
}

/**
 * A `gt` whose `sync` succeeds: a stand-in for Graphite's service, which this machine cannot reach
 * (the real `gt sync --no-restack` fails offline after about 60 s; a hanging or failing sync is the
 * real gt under a short timeout). Every other command is handed to the real gt unchanged.
 */
export function syncStandInGt(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'gt-sync-stand-in');
  writeFileSync(path, `#!/bin/sh\nif [ "$1" = sync ]; then echo "stand-in: synced"; exit 0; fi\nexec ${workspaceGt()} "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

/** Install an executable git hook in a repo's own hooks folder. */
export function installHook(repo: string, name: string, body: string): string {
  const dir = join(repo, '.git', 'hooks');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/**
 * Remove a temp dir gt used. gt forks unref'd background helpers (debug-log cleanup, PR info) that
 * may still be writing under HOME or .git when a test ends: retry, and never fail a test on it.
 */
export function removeGtDir(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  } catch {
    // A leftover temp dir is not a test failure.
  }
}
