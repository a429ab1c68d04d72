import { runNxStage, type NxContextLike, type NxStageOptions } from '@rebase-daily/core';
import { verifyStage } from '../verify-stage.js';

/** Nx executor `@rebase-daily/git:verify`: the verify stage through core's one pipeline. */
export default async function verifyExecutor(options: NxStageOptions, context: NxContextLike): Promise<{ success: boolean }> {
  return runNxStage('verify', verifyStage, options, context);
}
