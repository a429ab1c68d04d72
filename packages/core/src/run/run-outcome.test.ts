import { describe, expect, it } from 'vitest';
import type { RunState } from '../contracts/run-state.js';
import { unstoppedOutcome } from './run-outcome.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const M = 'c'.repeat(40);
type Stage = RunState['stages'][number];
const stage = (name: Stage['name'], status: Stage['status'], data: Record<string, unknown> = {}): Stage => ({ name, status, summary: '', startedAt: null, finishedAt: null, durationMs: null, data });
const shas = (trunk: string | null, mirror: string | null) => ({ upstream: null, mirror, trunk, forkTrunk: null, forkMirror: null });

// Before, the pipeline (session.ts) and the report (build-report.ts) each had a rule: the pipeline
// called an unreadable after-SHA (null) a move, so "success"; the report ignored whether apply ran
// and whether the day was partial. One rule now, pinned here.
describe('unstoppedOutcome', () => {
  it.each([
    ['apply ok, nothing moved', [stage('verify', 'ok'), stage('apply', 'ok')], shas(A, M), shas(A, M), 'no-change'],
    ['apply ok, trunk moved', [stage('verify', 'ok'), stage('apply', 'ok')], shas(A, M), shas(B, M), 'success'],
    ['apply ok, mirror created', [stage('verify', 'ok'), stage('apply', 'ok')], shas(A, null), shas(A, M), 'success'],
    ['apply ok, after-SHAs unreadable (null): no evidence of a move', [stage('verify', 'ok'), stage('apply', 'ok')], shas(A, M), shas(null, null), 'no-change'],
    ['no apply stage (a verify-only run), nothing moved', [stage('verify', 'ok')], shas(A, M), shas(A, M), 'success'],
    ['verify pinned short of the tip (onConflict advance)', [stage('verify', 'ok', { partial: true }), stage('apply', 'ok')], shas(A, M), shas(B, M), 'partial'],
  ] as const)('%s → %s', (_name, stages, before, after, expected) => {
    expect(unstoppedOutcome({ stages: [...stages], shas: { before: { ...before }, after: { ...after } } })).toBe(expected);
  });
});
