import { runNxStage, type NxContextLike } from '@rebase-daily/core';
import { writeRunReport } from '../write-run-report.js';

/**
 * `nx run rebase:report`: closes the run begun by the earlier stage tasks (or, run alone, a run of
 * its own), writing the report through core's one pipeline definition. Options are parsed by core.
 */
export default async function reportExecutor(options: unknown, context: NxContextLike): Promise<{ success: boolean }> {
  return runNxStage('report', null, options, context, writeRunReport);
}
