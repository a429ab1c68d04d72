import { runNxStage, type NxContextLike, type NxStageOptions } from '@rebase-daily/core';
import { recordRun } from '@rebase-daily/report';
import { applyStage } from '../stages/apply-stage.js';

/** Nx executor `@rebase-daily/git:apply`: the apply stage through core's one pipeline; a stage that stops the run also writes its report. */
export default async function applyExecutor(options: NxStageOptions, context: NxContextLike): Promise<{ success: boolean }> {
  return runNxStage('apply', applyStage, options, context, (s) => recordRun(s));
}
