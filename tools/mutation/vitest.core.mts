import { packageTestConfig } from '../../vitest.shared.mts';

// core's mutation runs use the tests aimed at the mutated modules (lock, exit codes, repo guard,
// pipeline). Every test that starts a run covers the repo guard and the pipeline, and running them
// all per mutant would take hours on a 2-core machine: the repo guard is tested function by function
// in repo-guard.test.ts, and the pipeline-level cases that repeat it (repo-state.test.ts,
// git-locks.test.ts, stage-data.test.ts) still run in `nx run core:test`.
const config = packageTestConfig();
config.test!.include = [
  // lock and exit codes
  'src/lock/lock.test.ts',
  'src/lock/lock-age.test.ts',
  'src/lock/lock-boundary.test.ts',
  'src/lock/lock-race.test.ts',
  'src/lock/lock-guard.test.ts',
  'src/process/holder.test.ts',
  'src/errors/exit-codes.test.ts',
  'src/run/outcome-of.test.ts',
  'src/run/run-outcome.test.ts',
  // repo guard and pipeline
  'src/repo/repo-guard.test.ts',
  'src/run/pipeline.test.ts',
  'src/run/session-recovery.test.ts',
];
export default config;
