import { mutationConfig } from './shared.mjs';

export default mutationConfig({
  pkg: 'core',
  vitestConfig: 'tools/mutation/vitest.core.mts',
  mutate: ['packages/core/src/lock.ts', 'packages/core/src/exit-codes.ts', 'packages/core/src/repo-guard.ts', 'packages/core/src/pipeline.ts'],
});
