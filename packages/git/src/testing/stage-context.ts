import { join } from 'node:path';
import {
  boundRunner,
  CommandLog,
  createRunState,
  nullProgress,
  parseConfig,
  type ConfigInput,
  type Pin,
  type RunState,
  type ShaSet,
  type StageContext,
} from '@rebase-daily/core';
import { fixtureGitEnv, git, type ForkFixture } from '@rebase-daily/core/testing';

// Commands made through the seam inherit process.env: keep them off the machine's global git config.
Object.assign(process.env, fixtureGitEnv);

export interface TestStageContext extends StageContext {
  /** Temporaries registered and not yet unregistered (must be empty after a stage returns). */
  temporaries: { kind: string; path: string }[];
  setPin(pin: Pin | null): void;
}

const revOrNull = (repo: string, ref: string): string | null => {
  try {
    return git(repo, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
  } catch {
    return null;
  }
};

/** What core's preflight records: the refs right after fetching both remotes. */
export function shasNow(f: ForkFixture): ShaSet {
  return {
    upstream: revOrNull(f.clone, `refs/remotes/upstream/${f.upstreamBranch}`),
    mirror: revOrNull(f.clone, `refs/heads/${f.mirror}`),
    trunk: revOrNull(f.clone, `refs/heads/${f.trunk}`),
    forkTrunk: revOrNull(f.clone, `refs/remotes/origin/${f.trunk}`),
    forkMirror: revOrNull(f.clone, `refs/remotes/origin/${f.mirror}`),
  };
}

/**
 * A StageContext built by hand for a fork fixture, as the pipeline would after preflight (which
 * fetched both remotes and recorded `shas.before`). Not a mock: the runner is core's real seam.
 */
export function makeStageContext(f: ForkFixture, extra: Partial<ConfigInput> = {}, runId = `test-${Math.random().toString(16).slice(2, 8)}`): TestStageContext {
  git(f.clone, 'fetch', '-q', '--prune', 'upstream');
  git(f.clone, 'fetch', '-q', '--prune', 'origin');
  const parsed = parseConfig({ repo: f.clone, trunk: f.trunk, mirror: f.mirror, upstreamBranch: f.upstreamBranch, ...extra }, join(f.root, 'rebase-daily.json'));
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const before = shasNow(f);
  const state: RunState = {
    ...createRunState(parsed.config, { command: 'test', stages: ['verify', 'apply', 'report'] }, runId),
    host: 'test',
    startBranch: f.trunk,
    startHead: before.trunk,
    lock: { path: '', acquired: true, override: false, holder: null, ageHours: null },
    shas: { before, after: { upstream: null, mirror: null, trunk: null, forkTrunk: null } },
    preflightOk: true,
  };
  const commandLog = new CommandLog();
  const temporaries: { kind: string; path: string }[] = [];
  return {
    config: parsed.config,
    state,
    run: boundRunner(commandLog),
    commandLog,
    progress: nullProgress,
    runDir: join(parsed.config.scratchPath, 'rebase-daily', 'runs', runId),
    signal: new AbortController().signal,
    registerTemporary: (kind, path) => void temporaries.push({ kind, path }),
    unregisterTemporary: (kind, path) => {
      const i = temporaries.findIndex((t) => t.kind === kind && t.path === path);
      if (i >= 0) temporaries.splice(i, 1);
    },
    // As the pipeline does (there into the live state, here into the same object the test reads).
    recordCandidate(candidate) {
      state.candidates = [...state.candidates.filter((c) => c.branch !== candidate.branch), { ...candidate }];
    },
    recordUndoFile(file) {
      state.undoFiles = [...state.undoFiles.filter((f) => f.path !== file.path), file];
    },
    temporaries,
    setPin(pin) {
      (state as { pin: Pin | null }).pin = pin;
    },
  };
}
