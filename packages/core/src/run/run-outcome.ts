import type { Outcome } from '../errors/exit-codes.js';
import type { RunState } from '../contracts/run-state.js';

/**
 * The outcome of a run no stage stopped — the one rule, used by the pipeline when it finishes and by
 * the report when a run ended without recording one:
 * - `partial`: verify pinned the last clean upstream commit (onConflict "advance"), not the tip;
 * - `no-change`: apply ran clean and neither the trunk nor the mirror moved;
 * - `success` otherwise (a run without apply, such as `verify`, is a success, not a no-change day).
 * A SHA read as null after the run (not readable) is no evidence of a move: only a known new SHA is.
 */
export function unstoppedOutcome(state: Pick<RunState, 'stages' | 'shas'>): Extract<Outcome, 'success' | 'no-change' | 'partial'> {
  if (state.stages.find((s) => s.name === 'verify')?.data?.partial === true) return 'partial';
  const { before, after } = state.shas;
  const moved = (after.trunk !== null && after.trunk !== before.trunk) || (after.mirror !== null && after.mirror !== before.mirror);
  const applied = state.stages.find((s) => s.name === 'apply');
  return applied?.status === 'ok' && !moved ? 'no-change' : 'success';
}
