import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/config.js';
import { runPipeline } from '../run/pipeline.js';
import type { RunState } from './run-state.js';
import { checkStageData, readStageData, STAGE_DATA_SCHEMAS } from './stage-data.js';
import { STAGES } from './run-state.js';
import { createForkFixture, writeFixtureConfig, type ForkFixture } from '../testing/index.js';

const sha = (c: string) => c.repeat(40);
const verifyData = {
  engine: { used: 'memory', requested: 'auto' },
  upstreamRef: 'refs/remotes/upstream/main',
  upstream: sha('a'),
  trunk: sha('b'),
  base: sha('c'),
  queue: [{ sha: sha('d'), subject: 'fork: x' }],
  dropped: [{ sha: sha('e'), subject: 'fork: backport', upstream: { sha: sha('f'), subject: 'upstream: fix', author: 'A <a@x>', date: '2026-11-27T12:00:00+00:00' } }],
  merges: [],
  upstreamDelta: { count: 2, range: `${sha('c')}..${sha('a')}` },
  upToDate: false,
  superseded: [],
};

describe('stage data contracts', () => {
  it('every stage has one', () => {
    expect(Object.keys(STAGE_DATA_SCHEMAS).sort()).toEqual([...STAGES].sort());
  });

  it.each([
    ['a valid verify record', verifyData, true],
    ['empty data (a stage that failed before it had any)', {}, true],
    ['the old drift: `droppedUpstream` instead of `dropped`', { ...verifyData, dropped: undefined, droppedUpstream: [] }, false],
    ['a key the contract does not name', { ...verifyData, extra: 1 }, false],
    ['an abbreviated SHA', { ...verifyData, upstream: 'abc1234' }, false],
  ])('checkStageData(verify, %s)', (_what, data, ok) => {
    expect(checkStageData('verify', data as Record<string, unknown>).ok).toBe(ok);
  });

  it('readStageData names the problem instead of guessing', () => {
    const r = readStageData({ stages: [{ name: 'verify', data: { ...verifyData, queue: 'three' } }] }, 'verify');
    expect(r.data).toBeNull();
    expect(r.problems.join()).toMatch(/^queue: /);
  });
});

describe('the pipeline validates stage data when it folds a result', () => {
  let fixture: ForkFixture;
  afterEach(() => fixture?.cleanup());

  it('a stage returning data off its contract stops the run with E_STAGE_DATA (exit 1)', async () => {
    fixture = createForkFixture();
    const path = writeFixtureConfig(fixture);
    const parsed = parseConfig(JSON.parse(readFileSync(path, 'utf8')), path);
    if (!parsed.ok) throw new Error(parsed.errors.join());
    const states: RunState[] = [];
    const state = await runPipeline(parsed.config, {
      command: 'verify',
      impls: { verify: async () => ({ status: 'ok', summary: 'fine', data: { ...verifyData, droppedUpstream: [] } }) },
      writeReport: (s) => void states.push(structuredClone(s)),
    });
    expect(state.outcome).toBe('error');
    expect(state.exitCode).toBe(1);
    expect(state.stoppedBy).toBe('verify');
    expect(state.errors.map((e) => e.code)).toEqual(['E_STAGE_DATA']);
    expect(state.errors[0].message).toContain('droppedUpstream');
  });
});
