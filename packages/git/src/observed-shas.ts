import { revParse, type ShaSet, type StageContext } from '@rebase-daily/core';

/** The refs the git stages read, from config. */
export function stageRefs(ctx: StageContext) {
  const { config } = ctx;
  const { fork, upstream } = config.remotes;
  return {
    upstream: `refs/remotes/${upstream}/${config.upstreamBranch}`,
    mirror: `refs/heads/${config.mirror}`,
    trunk: `refs/heads/${config.trunk}`,
    forkTrunk: `refs/remotes/${fork}/${config.trunk}`,
    forkMirror: `refs/remotes/${fork}/${config.mirror}`,
  };
}

export type ObservedShas = { [K in keyof Required<ShaSet>]: string | null };

/**
 * The SHAs observed at the start of the run (`state.shas.before`, recorded by core's preflight right
 * after fetching). A field preflight could not record is read from the ref now.
 */
export async function observedShas(ctx: StageContext): Promise<ObservedShas> {
  const before = ctx.state.shas?.before ?? ({} as Partial<ShaSet>);
  const refs = stageRefs(ctx);
  const repo = ctx.config.repoPath;
  const out = {} as ObservedShas;
  for (const key of Object.keys(refs) as (keyof typeof refs)[]) {
    out[key] = before[key] ?? (await revParse(ctx.run, repo, refs[key]));
  }
  return out;
}
