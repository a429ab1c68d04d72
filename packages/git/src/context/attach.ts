import { join } from 'node:path';
import { type Conflict, excludeScratch, type StageContext } from '@rebase-daily/core';
import { buildContextBundle, writeContextBundle } from './context-bundle.js';

/**
 * Build the context bundle for a conflict and write it into the run's directory
 * (`<run>/context.json` and `context.md`), recording the paths on the conflict. A bundle that cannot
 * be written is a warning, never a second failure: the conflict report stands without it.
 */
export async function attachContextBundle(ctx: StageContext, conflict: Conflict, base: string, upstream: string, trunk: string, warnings: string[]): Promise<void> {
  try {
    // The run directory lives under the scratch dir, which must never make the primary tree dirty.
    await excludeScratch(ctx.run, ctx.config.repoPath, ctx.config.scratchPath);
    const bundle = await buildContextBundle(ctx.run, ctx.config.repoPath, { base, upstream, trunk, files: conflict.files, removed: ctx.config.conflicts.policy.removed });
    conflict.contextBundle = writeContextBundle(join(ctx.runDir, 'context'), bundle);
  } catch (error) {
    warnings.push(`context bundle not written: ${error instanceof Error ? error.message : String(error)}`);
  }
}
