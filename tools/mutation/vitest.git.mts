import { packageTestConfig } from '../../vitest.shared.mts';

// git's mutation runs use the tests aimed at the mutated modules (queue, replay, lease push, bump):
// every stage test covers the queue and the push, and running them all per mutant would take hours
// on a 2-core machine. The stage tests still run in `nx run git:test`.
const config = packageTestConfig();
config.test!.include = [
  'src/engine/already-upstream.test.ts',
  'src/refs/lease-push-contract.test.ts',
  'src/refs/push-rejection.test.ts',
  'src/version/bump-version.test.ts',
  'src/version/bump-version-failures.test.ts',
  'src/version/superseded-replay.test.ts',
  'src/engine/*.test.ts',
];
export default config;
