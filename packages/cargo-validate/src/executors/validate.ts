import { runNxStage, type NxContextLike, type NxStageOptions } from '@rebase-daily/core';
import { recordRun } from '@rebase-daily/report';
import { validateStage } from '../validate-stage.js';

/** Nx executor `@rebase-daily/cargo-validate:validate`: the validate stage through core's one pipeline; a stage that stops the run also writes its report. */
export default async function validateExecutor(options: NxStageOptions, context: NxContextLike): Promise<{ success: boolean }> {
  return runNxStage('validate', validateStage, options, context, (s) => recordRun(s));
}
