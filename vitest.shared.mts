import { defineConfig } from 'vitest/config';

/** The vitest mode (`vitest run --mode slow`) of a package's `test:slow` script. */
export const SLOW_MODE = 'slow';

/**
 * Shared vitest settings. Tests resolve sibling packages to their TypeScript sources through
 * the "@rebase-daily/source" export condition, so `nx test` never needs a prior build of deps.
 *
 * `slow` lists the package's long simulations (a month of days, crash injection): `npm test` leaves
 * them out so it stays a few minutes; `npm run test:slow` (mode `slow`) runs exactly them, and CI
 * (`.ci/run`) runs both, so every test still runs there.
 */
export function packageTestConfig(overrides: { testTimeout?: number; slow?: string[]; mode?: string } = {}) {
  const slow = overrides.slow ?? [];
  const include = overrides.mode === SLOW_MODE ? slow : ['src/**/*.test.ts', 'test/**/*.test.ts'];
  return defineConfig({
    resolve: { conditions: ['@rebase-daily/source'] },
    ssr: { resolve: { conditions: ['@rebase-daily/source'] } },
    test: {
      environment: 'node',
      include,
      exclude: overrides.mode === SLOW_MODE ? [] : slow,
      passWithNoTests: overrides.mode === SLOW_MODE,
      testTimeout: overrides.testTimeout ?? 60_000,
      hookTimeout: 60_000,
      pool: 'forks',
    },
  });
}
