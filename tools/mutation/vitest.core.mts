import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageTestConfig } from '../../vitest.shared.mts';

// StrykerJS's sandbox lives inside the worktree (.stryker-tmp/<pkg>/sandbox-*): a git command that a
// mutant sends to a directory of the sandbox finds the developer's worktree above it. It happened:
// during a run of the repo guard's mutants the worktree's reflog gained a `reset: moving to HEAD` and
// its uncommitted edits were gone. Git must not look above the sandbox for a repository.
const sandbox = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
process.env.GIT_CEILING_DIRECTORIES = [dirname(sandbox), process.env.GIT_CEILING_DIRECTORIES].filter(Boolean).join(':');

// core's mutation runs use the tests aimed at the mutated modules (lock, exit codes, repo guard,
// pipeline). Every test that starts a run covers the repo guard and the pipeline, and running them
// all per mutant would take hours on a 2-core machine: the repo guard is tested function by function
// in repo-guard.test.ts, and the pipeline-level cases that repeat it (repo-state.test.ts,
// git-locks.test.ts, stage-data.test.ts) still run in `nx run core:test`.
const config = packageTestConfig();
config.test!.include = [
  // lock and exit codes
  'src/lock.test.ts',
  'src/lock-age.test.ts',
  'src/lock-boundary.test.ts',
  'src/holder.test.ts',
  'src/exit-codes.test.ts',
  'src/outcome-of.test.ts',
  'src/run-outcome.test.ts',
  // repo guard and pipeline
  'src/repo-guard.test.ts',
  'src/pipeline.test.ts',
  'src/session-recovery.test.ts',
];
export default config;
