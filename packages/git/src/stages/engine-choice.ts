import type { StageContext } from '@rebase-daily/core';
import { engineSupport, selectEngine, type EngineName, type EngineSetting } from '../engine/index.js';

/** What a stage records in `data.engine`. */
export interface EngineUse {
  used: EngineName;
  requested: EngineSetting;
  /** Why `auto` fell back to the worktree engine (or why a forced `memory` may differ from rebase). */
  fallbackReasons?: string[];
  /** git's version, when probed. */
  gitVersion?: string | null;
}

export interface EngineDecision {
  use: EngineUse;
  /** A line for the stage's warnings when auto fell back or memory was forced against a reason. */
  warning?: string;
}

/**
 * Choose the replay engine for a stage from the `engine` config key. `worktree` needs no probe;
 * otherwise `engineSupport` looks for what the in-memory engine cannot match (`rerere` with recorded
 * resolutions, merge drivers or merge attributes, commit signing, git older than 2.38) in the
 * repository and in the trees of `revs`, and `auto` falls back to `git rebase` when it finds any.
 */
export async function chooseEngine(ctx: StageContext, revs: string[]): Promise<EngineDecision> {
  const requested = ctx.config.engine;
  if (requested === 'worktree') return { use: { used: 'worktree', requested } };
  const support = await engineSupport(ctx.run, ctx.config.repoPath, { revs });
  const choice = selectEngine(requested, support);
  const use: EngineUse = { used: choice.engine, requested, gitVersion: support.gitVersion };
  if (support.reasons.length) use.fallbackReasons = support.reasons;
  return { use, warning: choice.note };
}
