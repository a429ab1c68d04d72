import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { shellQuote } from '@rebase-daily/core';
import { runStep, type RunStepOptions, type StepRun } from './run-step.js';
import { parseBuiltTargets, type BuiltTarget } from './test-executables.js';

export interface TestStepRun extends StepRun {
  /** What `cargo test --no-run --message-format=json` built (exact executable → package), or null when not applicable. */
  built: BuiltTarget[] | null;
}

/** Flags after which cargo does not build-then-run the usual test binaries, or that clash with the JSON build. */
const NO_BUILD_MAP = new Set(['--no-run', '--doc']);

/**
 * The `cargo test --no-run` argv for a configured `cargo test …` argv (argv[0] resolved), or null
 * when the command is something else (`just test`, `cargo nextest run`) or already fixes the output.
 */
export function buildArgvFor(argv: string[], configured: string[]): string[] | null {
  if (configured[0] !== 'cargo' || configured[1] !== 'test') return null;
  const sep = argv.indexOf('--');
  const cargoArgs = (sep < 0 ? argv : argv.slice(0, sep)).slice(2);
  if (cargoArgs.some((a) => NO_BUILD_MAP.has(a) || a.startsWith('--message-format'))) return null;
  return [argv[0], 'test', '--no-run', '--message-format=json-render-diagnostics', ...cargoArgs];
}

/**
 * The test step. For `cargo test …`, first `cargo test --no-run --message-format=json…` with the
 * same flags (features, packages, profile): its artifact messages name the package of every test
 * executable exactly, and the build's diagnostics go to the step log. A build failure ends the step
 * (the log has the compiler errors). Then the configured command runs as given — cargo runs the
 * binaries with its own environment and doc-tests — through one pipe (see runStep). Both share the
 * step's timeout.
 */
export async function runTestStep(o: RunStepOptions & { configured: string[] }): Promise<TestStepRun> {
  const buildArgv = buildArgvFor(o.argv, o.configured);
  if (!buildArgv) return { ...(await runStep(o)), built: null };
  mkdirSync(dirname(o.logFile), { recursive: true });
  appendFileSync(o.logFile, `$ ${buildArgv.map(shellQuote).join(' ')}\n`);
  const limitMs = o.timeoutSeconds * 1000;
  const build = await o.run(buildArgv[0], buildArgv.slice(1), { cwd: o.cwd, env: o.env, timeoutMs: limitMs });
  // stdout is the JSON stream; stderr the rendered diagnostics and progress a reader wants in the log.
  if (build.stderr) appendFileSync(o.logFile, `${build.stderr}\n`);
  if (build.exitCode !== 0 || build.timedOut) {
    return { argv: o.argv, exitCode: build.exitCode, durationMs: build.durationMs, timedOut: build.timedOut, logFile: o.logFile, result: build, built: null };
  }
  const built = parseBuiltTargets(build.stdout);
  const leftSeconds = Math.max(1, (limitMs - build.durationMs) / 1000);
  const step = await runStep({ ...o, timeoutSeconds: leftSeconds });
  return { ...step, durationMs: step.durationMs + build.durationMs, built };
}
