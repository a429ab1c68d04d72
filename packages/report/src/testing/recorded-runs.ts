import { readFileSync } from 'node:fs';
import { RunStateSchema, type RunState } from '@rebase-daily/core';

/**
 * Run states recorded from real runs of the CLI on generated forks (packages/cli
 * test/report-fixtures.test.ts; re-record with `npm run record-report-fixtures -w @rebase-daily/cli`).
 * Nothing here is invented: SHAs, subjects and stage data are what git and the stages produced;
 * only machine paths were scrubbed (/fixture, /workspace, /tmp/recorded-N).
 */
export const RECORDED_RUNS = ['success', 'no-change', 'verify-conflict', 'dropped-upstream', 'push-blocked', 'validation-failed', 'graphite-restack', 'lock-taken', 'partial', 'apply-conflict', 'graphite-failed', 'interrupted', 'error'] as const;
export type RecordedRun = (typeof RECORDED_RUNS)[number];

/** A fresh copy of a recorded run state, parsed with core's schema. */
export function recordedRun(name: RecordedRun): RunState {
  const file = new URL(`../__fixtures__/runs/${name}.json`, import.meta.url);
  return RunStateSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** A recorded state with some fields replaced (for the pipeline's edge cases: no outcome, unfinished, …). */
export function withState(name: RecordedRun, patch: Partial<RunState>): RunState {
  return RunStateSchema.parse({ ...recordedRun(name), ...patch });
}
