import { runNxStage, type NxContextLike, type NxStageOptions } from '@rebase-daily/core';
import { recordRun } from '@rebase-daily/report';
import { verifyStage } from '../stages/verify-stage.js';

/** Nx executor `@rebase-daily/git:verify`: the verify stage through core's one pipeline; a stage that stops the run also writes its report. */
export default async function verifyExecutor(options: NxStageOptions, context: NxContextLike): Promise<{ success: boolean }> {
  return runNxStage('verify', verifyStage, options, context, (s) => recordRun(s));
}
