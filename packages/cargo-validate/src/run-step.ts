import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { shellQuote, type CommandResult, type Runner } from '@rebase-daily/core';

export interface StepRun {
  argv: string[];
  exitCode: number;
  durationMs: number;
  timedOut: boolean;
  logFile: string;
  result: CommandResult;
}

export interface RunStepOptions {
  run: Runner;
  /** argv with argv[0] already resolved to a path. */
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutSeconds: number;
  logFile: string;
}

/**
 * `sh -c` with a fixed script (the argv stays an array, passed as "$@"): stderr is redirected onto
 * stdout before the command starts, so the command and everything it spawns write into ONE pipe.
 * cargo prints `Running …/alpha-<hash>` on stderr and then starts the binary, which prints its
 * results on stdout; through one pipe the header always precedes the results. Through two pipes the
 * reader sees them in whatever order the scheduler delivers (under load: results under the wrong
 * binary, issue 10).
 */
const ONE_PIPE = ['-c', 'exec "$@" 2>&1', 'sh'];

/** The argv that runs `argv` with its stderr merged into its stdout (see ONE_PIPE). */
export function onePipeArgv(argv: string[]): [string, string[]] {
  return ['/bin/sh', [...ONE_PIPE, ...argv]];
}

/**
 * Run one validation step, streaming its output (stdout and stderr through one pipe, in the order
 * written) to `logFile`, under the step's timeout. The seam kills the whole process group on
 * timeout, so a test binary cargo started cannot outlive it and hold the log pipe open.
 */
export async function runStep(o: RunStepOptions): Promise<StepRun> {
  mkdirSync(dirname(o.logFile), { recursive: true });
  appendFileSync(o.logFile, `$ ${o.argv.map(shellQuote).join(' ')}\n`);
  const [cmd, args] = onePipeArgv(o.argv);
  const result = await o.run(cmd, args, { cwd: o.cwd, env: o.env, timeoutMs: o.timeoutSeconds * 1000, logFile: o.logFile });
  return { argv: o.argv, exitCode: result.exitCode, durationMs: result.durationMs, timedOut: result.timedOut, logFile: o.logFile, result };
}
