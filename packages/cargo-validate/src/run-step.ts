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
  /** coreutils `timeout`, when there is one (see below). */
  timeoutBin: string | null;
}

/**
 * Run one validation step, streaming its output to `logFile`. The seam's own timeout kills only the
 * direct child: a test binary cargo started keeps running and holds the pipe open (measured: a 4 s
 * timeout returned after the test's full 30 s). So where coreutils `timeout` exists the step runs
 * under it — it signals the whole process group — and the seam's timeout stays as a backstop.
 */
export async function runStep(o: RunStepOptions): Promise<StepRun> {
  mkdirSync(dirname(o.logFile), { recursive: true });
  appendFileSync(o.logFile, `$ ${o.argv.map(shellQuote).join(' ')}\n`);
  const limitMs = o.timeoutSeconds * 1000;
  const [cmd, ...args] = o.timeoutBin ? [o.timeoutBin, '--kill-after=10s', `${o.timeoutSeconds}s`, ...o.argv] : o.argv;
  const result = await o.run(cmd, args, { cwd: o.cwd, env: o.env, timeoutMs: o.timeoutBin ? limitMs + 30_000 : limitMs, logFile: o.logFile });
  // timeout(1) exits 124 when it had to signal, 137 when it had to SIGKILL.
  const wrapperFired = Boolean(o.timeoutBin) && (result.exitCode === 124 || result.exitCode === 137) && result.durationMs >= limitMs - 50;
  return { argv: o.argv, exitCode: result.exitCode, durationMs: result.durationMs, timedOut: result.timedOut || wrapperFired, logFile: o.logFile, result };
}
