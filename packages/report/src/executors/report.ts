import { runNxStage, type NxContextLike } from '@rebase-daily/core';
import { recordRun } from '../history/record-run.js';

/**
 * `nx run rebase:report`: closes the run begun by the earlier stage tasks (or, run alone, a run of
 * its own), writing the report through core's one pipeline definition. Options are parsed by core.
 */
export default async function reportExecutor(options: unknown, context: NxContextLike): Promise<{ success: boolean }> {
  return runNxStage('report', null, options, context, (s) => recordRun(s));
}
