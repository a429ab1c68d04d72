import { packageTestConfig } from '../../vitest.shared.mts';

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
  'src/lock-race.test.ts',
  'src/lock-guard.test.ts',
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
