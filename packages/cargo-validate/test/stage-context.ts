import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { boundRunner, CommandLog, createRunState, nullProgress, parseConfig, type StageContext } from '@rebase-daily/core';
import { makeTempDir, type ForkFixture } from '@rebase-daily/core/testing';

const WORKSPACE = join(import.meta.dirname, '..', 'fixtures', 'workspace');

/** The fixture Cargo workspace (two crates, no external dependencies, a justfile) as a file map. */
export function cargoWorkspaceFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else files[relative(WORKSPACE, full)] = readFileSync(full, 'utf8');
    }
  };
  walk(WORKSPACE);
  return files;
}

export interface TestContext {
  ctx: StageContext;
  temporaries: Set<string>;
  log: CommandLog;
}

/** A StageContext on a fork fixture, as the pipeline would build it. */
export function stageContext(fx: ForkFixture, validate: unknown, extra: Record<string, unknown> = {}): TestContext {
  const raw = { repo: fx.clone, trunk: fx.trunk, mirror: fx.mirror, upstreamBranch: fx.upstreamBranch, ...(validate === undefined ? {} : { validate }), ...extra };
  const parsed = parseConfig(raw, join(fx.root, 'rebase-daily.json'));
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const log = new CommandLog();
  const temporaries = new Set<string>();
  const runId = `test-${Math.random().toString(16).slice(2, 8)}`;
  const ctx: StageContext = {
    config: parsed.config,
    state: createRunState(parsed.config, { command: 'validate', stages: ['validate'] }, runId),
    run: boundRunner(log),
    commandLog: log,
    progress: nullProgress,
    runDir: makeTempDir('cv-run-'),
    signal: new AbortController().signal,
    registerTemporary: (kind, path) => temporaries.add(`${kind}:${path}`),
    unregisterTemporary: (kind, path) => temporaries.delete(`${kind}:${path}`),
    recordCandidate: () => undefined,
    recordUndoFile: () => undefined,
  };
  return { ctx, temporaries, log };
}
