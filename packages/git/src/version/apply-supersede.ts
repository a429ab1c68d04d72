import type { Pin, StageContext } from '@rebase-daily/core';
import { findSupersededBumps } from './superseded-bumps.js';
import { shortSha } from '@rebase-daily/core';


/**
 * Apply's part of superseding version bumps: the queue commits a fresh bump replaces (the same scan
 * verify made, on the pinned SHAs), recorded as `data.superseded`; refused hand-made candidates go
 * to the warnings. Empty when nothing is replayed (the trunk already contains upstream) or version
 * bumps are off.
 */
export async function supersededSkipSet(ctx: StageContext, pin: Pin, upToDate: boolean, data: Record<string, unknown>, warnings: string[]): Promise<ReadonlySet<string>> {
  if (upToDate || !ctx.config.version) return new Set();
  const scan = await findSupersededBumps(ctx.run, ctx.config.repoPath, pin.upstream, pin.trunk, ctx.config.version);
  data.superseded = scan.superseded;
  for (const r of scan.refused) warnings.push(`not superseded, replayed as a patch: ${shortSha(r.sha)} "${r.subject}" (${r.reason})`);
  return new Set(scan.superseded.map((c) => c.sha));
}
