import { mutationConfig } from './shared.mjs';

export default mutationConfig({
  pkg: 'git',
  mutate: ['packages/git/src/engine/queue.ts', 'packages/git/src/engine/replay.ts', 'packages/git/src/lease-push.ts', 'packages/git/src/bump-version.ts'],
});
