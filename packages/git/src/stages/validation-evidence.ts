import { readStageData, type ResolvedConfig, type RunState, type ValidationEvidence } from '@rebase-daily/core';

/**
 * The daily run's validation evidence for the publish gate, from the validate stage's typed record:
 * validated by this run (the tree it checked), a cached result (the run that recorded it), not
 * configured, or — under `publish.when: "after-apply"`, where the fork sees the trunk before
 * validation by choice — a waiver the config records. A validate stage that failed or did not run
 * gives no evidence (null), and the gate refuses.
 */
export function validationEvidence(state: Pick<RunState, 'stages' | 'runId'>, config: ResolvedConfig): ValidationEvidence | null {
  if (!config.validate) return { kind: 'not-configured', tree: null, runId: null, at: null, reason: 'no "validate" section in the config' };
  const record = state.stages.find((s) => s.name === 'validate');
  if (!record || record.status !== 'ok') {
    if (config.publish.when === 'after-apply') return { kind: 'waived', tree: null, runId: state.runId, at: null, reason: 'publish.when is "after-apply" (config): the fork remote sees the trunk before validation' };
    return null;
  }
  const { data } = readStageData(state, 'validate');
  if (!data) return null;
  if (data.cached) return { kind: 'cached', tree: data.tree, runId: data.cachedFrom ?? null, at: record.finishedAt ?? null, reason: null };
  return { kind: 'validated', tree: data.tree, runId: state.runId, at: record.finishedAt ?? null, reason: null };
}
