import { mutationConfig } from './shared.mjs';

export default mutationConfig({
  pkg: 'core',
  vitestConfig: 'tools/mutation/vitest.core.mts',
  mutate: ['packages/core/src/lock/lock.ts', 'packages/core/src/errors/exit-codes.ts', 'packages/core/src/repo/repo-guard.ts', 'packages/core/src/run/pipeline.ts'],
});
