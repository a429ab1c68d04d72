import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/config.js';
import { createForkFixture, writeFixtureConfig, type ForkFixture } from '../testing/index.js';
import { createRunState, foldReplayedStage, type Session } from './session.js';

// A stage Nx replayed from its cache: the run's record says it was replayed, from which run, and
// carries this run's times (never the recording run's). Real fixture repo for the config; the
// session is only its state (foldReplayedStage reads nothing else).
let fixture: ForkFixture | undefined;
afterEach(() => fixture?.cleanup());

describe('foldReplayedStage', () => {
  it('a replayed validation: cached true, cachedFrom the recording run, times of this run', () => {
    fixture = createForkFixture();
    const path = writeFixtureConfig(fixture);
    const parsed = parseConfig(JSON.parse(readFileSync(path, 'utf8')), path);
    if (!parsed.ok) throw new Error(parsed.errors.join());
    const state = createRunState(parsed.config, { command: 'daily', stages: ['validate'] }, '20261207T100000Z-1-now');
    const before = Date.now();
    const recorded = { ...state.stages.find((s) => s.name === 'validate')!, status: 'ok' as const, summary: 'validated', startedAt: '2026-12-06T05:00:00.000Z', finishedAt: '2026-12-06T05:03:00.000Z', durationMs: 180_000, data: { cached: false, trunk: 't' } };
    foldReplayedStage({ state } as unknown as Session, 'validate', recorded, null, 'replayed from the Nx cache (tree abc recorded by run 20261206T050000Z-1-old)', '20261206T050000Z-1-old');
    const v = state.stages.find((s) => s.name === 'validate')!;
    expect(v).toMatchObject({ status: 'ok', durationMs: 0, data: { cached: true, cachedFrom: '20261206T050000Z-1-old' } });
    expect(v.summary).toMatch(/^replayed from the Nx cache .*: validated$/);
    expect(Date.parse(v.startedAt!)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(v.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(v.startedAt!));
  });
});
