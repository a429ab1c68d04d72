// Shared StrykerJS settings (see run.mjs). One config per package, because each package's vitest
// config resolves its tests from the package folder.
/** @param {{ pkg: string, mutate: string[], vitestConfig?: string }} o @returns {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export function mutationConfig({ pkg, mutate, vitestConfig }) {
  return {
    testRunner: 'vitest',
    plugins: ['@stryker-mutator/vitest-runner'],
    vitest: { configFile: vitestConfig ?? `packages/${pkg}/vitest.config.ts`, dir: `packages/${pkg}`, related: false },
    // perTest: each mutant runs only the tests that cover it (the real-git tests are slow).
    coverageAnalysis: 'perTest',
    mutate,
    // The sandbox is a copy of the workspace without what tests never read.
    ignorePatterns: ['packages/*/dist', '.nx', '.scratch', 'demo-fork', 'tools/demo', 'tools/bench', 'reports', 'coverage'],
    // 2 cores shared with other work: one test process, generous timeouts for real git and gt.
    concurrency: 1,
    timeoutMS: 60_000,
    timeoutFactor: 3,
    reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
    jsonReporter: { fileName: `reports/mutation/${pkg}.json` },
    htmlReporter: { fileName: `reports/mutation/${pkg}.html` },
    tempDirName: `.stryker-tmp/${pkg}`,
    cleanTempDir: 'always',
  };
}
