import { runNxStage, type NxContextLike } from '@rebase-daily/core';
import { z } from 'zod';
import { writeRunReport } from '../write-run-report.js';

/** Options of the `@rebase-daily/report:report` executor (schema.json is generated from this). */
export const ReportExecutorOptionsSchema = z
  .object({
    config: z.string().optional().describe('rebase-daily config file; relative to the workspace root. REBASE_DAILY_CONFIG overrides it.'),
    repo: z.string().optional().describe("Overrides the config's repo path."),
  })
  .strict();

export type ReportExecutorOptions = z.infer<typeof ReportExecutorOptionsSchema>;

/** JSON Schema of the executor options (checked in as executors/report/schema.json). */
export function reportExecutorJsonSchema(): Record<string, unknown> {
  return {
    ...(z.toJSONSchema(ReportExecutorOptionsSchema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>),
    title: 'rebase-daily report',
    description: 'Finish the rebase-daily run of this Nx invocation: cleanup, report.json + summary.md, unlock.',
  };
}

/**
 * `nx run rebase:report`: closes the run begun by the earlier stage tasks (or, run alone, a run of
 * its own), writing the report through core's one pipeline definition.
 */
export default async function reportExecutor(options: unknown, context: NxContextLike): Promise<{ success: boolean }> {
  // Nx adds bookkeeping keys (`__overrides_unparsed__`) to executor options; they are not ours to validate.
  const own = Object.fromEntries(Object.entries((options ?? {}) as Record<string, unknown>).filter(([k]) => !k.startsWith('__')));
  const parsed = ReportExecutorOptionsSchema.safeParse(own);
  if (!parsed.success) {
    process.stderr.write(`rebase-daily report: invalid options: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}\n`);
    return { success: false };
  }
  return runNxStage('report', null, parsed.data, context, writeRunReport);
}
