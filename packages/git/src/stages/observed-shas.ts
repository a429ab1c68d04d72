import { refNames, revParse, type ShaSet, type StageContext } from '@rebase-daily/core';

/** The refs the git stages read, from config (the same names core's preflight snapshots). */
export function stageRefs(ctx: StageContext) {
  return refNames(ctx.config);
}

export type ObservedShas = { [K in keyof Required<ShaSet>]: string | null };

/**
 * The SHAs observed at the start of the run (`state.shas.observed`, recorded by core's preflight right
 * after fetching; `shas.before` is what the run found before the fetch). A field preflight could not record is read from the ref now.
 */
export async function observedShas(ctx: StageContext): Promise<ObservedShas> {
  const before = ctx.state.shas?.observed ?? ctx.state.shas?.before ?? ({} as Partial<ShaSet>);
  const refs = stageRefs(ctx);
  const repo = ctx.config.repoPath;
  const out = {} as ObservedShas;
  for (const key of Object.keys(refs) as (keyof typeof refs)[]) {
    out[key] = before[key] ?? (await revParse(ctx.run, repo, refs[key]));
  }
  return out;
}
