import { defineConfig, mergeConfig } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared.mts';

// `npm run record-report-fixtures` (`vitest run --mode record-report-fixtures …`) is the only way
// test/report-fixtures.test.ts writes the report's fixtures. In any other mode — the test target,
// `vitest run` by hand — RECORD_REPORT_FIXTURES is forced empty whatever the shell exported, so a
// test run never rewrites files the report's tests then compare with.
export const RECORD_MODE = 'record-report-fixtures';

/** Minutes each: a month of days, many kills, six packages packed and installed with their examples run. `npm run test:slow`, not `npm test`. */
export const SLOW_TESTS = ['test/time-lapse.test.ts', 'test/crash-injection.test.ts', 'test/consumer.test.ts'];

export default defineConfig(({ mode }) =>
  mergeConfig(packageTestConfig({ testTimeout: 120_000, slow: SLOW_TESTS, mode }), {
    // Markdown imports are text, as tsup bundles them (`loader: { '.md': 'text' }`).
    plugins: [
      {
        name: 'markdown-as-text',
        enforce: 'pre' as const,
        transform(code: string, id: string) {
          return id.endsWith('.md') ? { code: `export default ${JSON.stringify(code)};`, map: null } : null;
        },
      },
    ],
    test: { env: { RECORD_REPORT_FIXTURES: mode === RECORD_MODE ? '1' : '', REBASE_DAILY_VITEST_MODE: mode } },
  }),
);
