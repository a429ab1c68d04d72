import { runNxStage, type NxContextLike, type NxStageOptions } from '@rebase-daily/core';
import { validateStage } from '../validate-stage.js';

/** Nx executor `@rebase-daily/cargo-validate:validate`: the validate stage through core's one pipeline. */
export default async function validateExecutor(options: NxStageOptions, context: NxContextLike): Promise<{ success: boolean }> {
  return runNxStage('validate', validateStage, options, context);
}
