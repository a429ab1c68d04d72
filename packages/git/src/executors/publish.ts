import { runNxStage, type NxContextLike, type NxStageOptions } from '@rebase-daily/core';
import { publishStage } from '../publish-stage.js';

/** Nx executor `@rebase-daily/git:publish`: the publish stage through core's one pipeline. */
export default async function publishExecutor(options: NxStageOptions, context: NxContextLike): Promise<{ success: boolean }> {
  return runNxStage('publish', publishStage, options, context);
}
