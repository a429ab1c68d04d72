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
 * Run one validation step, streaming its output to `logFile`, under the step's timeout. The seam
 * kills the whole process group on timeout, so a test binary cargo started cannot outlive it and
 * hold the log pipe open.
 */
export async function runStep(o: RunStepOptions): Promise<StepRun> {
  mkdirSync(dirname(o.logFile), { recursive: true });
  appendFileSync(o.logFile, `$ ${o.argv.map(shellQuote).join(' ')}\n`);
  const [cmd, ...args] = o.argv;
  const result = await o.run(cmd, args, { cwd: o.cwd, env: o.env, timeoutMs: o.timeoutSeconds * 1000, logFile: o.logFile });
  return { argv: o.argv, exitCode: result.exitCode, durationMs: result.durationMs, timedOut: result.timedOut, logFile: o.logFile, result };
}
