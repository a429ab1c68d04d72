import type { ResolvedConfig } from '../config/config.js';
import { beginRun, finishRun, runStage, type ReportWriter, type Session, type SessionOptions } from './session.js';
import type { RunState, StageName } from '../contracts/run-state.js';
import type { StageImpls, StageImpl } from '../contracts/stage.js';

/**
 * The pipeline: stage order is STAGES; `daily` runs all of them. Apply, align and validate work on
 * local refs only; publish is the one stage that writes to the fork remote (with `publish.when:
 * "after-apply"`, apply publishes the trunk and mirror itself and publish pushes what is left).
 */
export const DAILY_STAGES: StageName[] = ['verify', 'apply', 'align', 'validate', 'publish', 'report'];
const SINGLE_STAGE_COMMANDS: readonly string[] = ['verify', 'apply', 'align', 'validate', 'publish'];

/** What each single-stage command runs (report always closes a run). */
export function stagesFor(command: string): StageName[] {
  if (command === 'daily') return DAILY_STAGES;
  if (SINGLE_STAGE_COMMANDS.includes(command)) return [command as StageName, 'report'];
  return ['report'];
}

export interface PipelineOptions extends Omit<SessionOptions, 'stages' | 'abort'> {
  stages?: StageName[];
  impls: StageImpls;
  /** Writes the report (`writeRunReport` of @rebase-daily/report); core has no writer of its own. */
  writeReport: ReportWriter;
  /** Install SIGINT/SIGTERM handlers for the duration of the run (the CLI does). */
  handleSignals?: boolean;
}

const missing = (name: string): StageImpl => async () => ({ status: 'not-configured', summary: `no ${name} implementation is installed` });

/**
 * Run a whole pipeline in this process: begin (lock, preflight), each stage under the skip rules,
 * finish (cleanup, report, unlock). A signal aborts the running command; cleanup still runs and the
 * report records the interruption. Returns the final state; its exitCode is the process exit code.
 */
export async function runPipeline(config: ResolvedConfig, options: PipelineOptions): Promise<RunState> {
  const stages = options.stages ?? stagesFor(options.command);
  const abort = new AbortController();
  let session: Session | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) {
      options.progress?.warn(`${signal} again: still cleaning up, please wait`);
      return;
    }
    options.progress?.warn(`${signal} received: stopping the current command, cleaning up, writing the report`);
    abort.abort(signal);
  };
  if (options.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    session = await beginRun(config, { ...options, stages, abort });
    for (const name of stages) {
      if (name === 'report') continue;
      await runStage(session, name, options.impls[name] ?? missing(name));
    }
    return await finishRun(session, options.writeReport);
  } finally {
    // A no-op when the handlers were never installed.
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
