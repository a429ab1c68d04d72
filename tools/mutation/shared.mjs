import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// StrykerJS's sandboxes live inside the checkout (.stryker-tmp/<pkg>/sandbox-*): a git command a
// mutant sends to a directory of the sandbox would find the developer's checkout above it. It
// happened: during a repo-guard run the worktree's reflog gained a `reset: moving to HEAD` and its
// uncommitted edits were gone. Set when Stryker loads the config, before it starts any test
// process, so every run of every package inherits it: git never looks above .stryker-tmp.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
process.env.GIT_CEILING_DIRECTORIES = [join(root, '.stryker-tmp'), process.env.GIT_CEILING_DIRECTORIES].filter(Boolean).join(':');

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
    // The first full run of the chosen tests (Stryker's dry run) takes over the default 5 min on a loaded machine.
    dryRunTimeoutMinutes: 40,
    timeoutFactor: 3,
    reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
    jsonReporter: { fileName: `reports/mutation/${pkg}.json` },
    htmlReporter: { fileName: `reports/mutation/${pkg}.html` },
    tempDirName: `.stryker-tmp/${pkg}`,
    cleanTempDir: 'always',
  };
}
