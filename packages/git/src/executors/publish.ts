import { runNxStage, type NxContextLike, type NxStageOptions } from '@rebase-daily/core';
import { recordRun } from '@rebase-daily/report';
import { publishStage } from '../stages/publish-stage.js';

/** Nx executor `@rebase-daily/git:publish`: the publish stage through core's one pipeline; a stage that stops the run also writes its report. */
export default async function publishExecutor(options: NxStageOptions, context: NxContextLike): Promise<{ success: boolean }> {
  return runNxStage('publish', publishStage, options, context, (s) => recordRun(s));
}
