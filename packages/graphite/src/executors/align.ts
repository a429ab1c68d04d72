import type { ExecutorContext } from '@nx/devkit';
import { runNxStage } from '@rebase-daily/core';
import { recordRun } from '@rebase-daily/report';
import { alignStage } from '../align.js';

export interface AlignExecutorOptions {
  /** rebase-daily.json; relative to the workspace root. REBASE_DAILY_CONFIG overrides it. */
  config?: string;
}

/** `nx run <project>:align`: the align stage through the shared pipeline definition in core. */
export default async function alignExecutor(options: AlignExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  return runNxStage('align', alignStage, options, context, (s) => recordRun(s));
}
