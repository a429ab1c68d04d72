import { mutationConfig } from './shared.mjs';

export default mutationConfig({
  pkg: 'git',
  vitestConfig: 'tools/mutation/vitest.git.mts',
  mutate: ['packages/git/src/engine/queue.ts', 'packages/git/src/engine/replay.ts', 'packages/git/src/refs/lease-push.ts', 'packages/git/src/version/bump-version.ts'],
});
