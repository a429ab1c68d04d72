import { defineConfig } from 'vitest/config';

/**
 * Shared vitest settings. Tests resolve sibling packages to their TypeScript sources through
 * the "@rebase-daily/source" export condition, so `nx test` never needs a prior build of deps.
 */
export function packageTestConfig(overrides: { testTimeout?: number } = {}) {
  return defineConfig({
    resolve: { conditions: ['@rebase-daily/source'] },
    ssr: { resolve: { conditions: ['@rebase-daily/source'] } },
    test: {
      environment: 'node',
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: overrides.testTimeout ?? 60_000,
      hookTimeout: 60_000,
      pool: 'forks',
    },
  });
}
