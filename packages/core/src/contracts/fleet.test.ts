import { describe, expect, it } from 'vitest';
import { FLEET_SEVERITY, fleetExitCode, fleetForkRunId, FleetSummarySchema } from './fleet.js';

describe('fleetExitCode', () => {
  it.each([
    [[], 0],
    [[0, 0, 0], 0],
    [[0, 10, 0], 10],
    [[15, 14], 14],
    [[16, 13], 13],
    [[10, 11], 11],
    [[12, 11, 10], 12],
    [[10, 2], 2],
    [[2, 1], 1],
    [[130, 10], 130],
    [[143, 130], 143],
    [[0, 15], 15],
    [[0, 99], 1],
  ])('%j → %i', (codes, expected) => {
    expect(fleetExitCode(codes)).toBe(expected);
  });

  it('ranks every documented exit code once', () => {
    expect(new Set(FLEET_SEVERITY).size).toBe(FLEET_SEVERITY.length);
    expect([...FLEET_SEVERITY].sort((a, b) => a - b)).toEqual([0, 1, 2, 10, 11, 12, 13, 14, 15, 16, 130, 143]);
  });
});

describe('fleetForkRunId', () => {
  it.each([
    ['20261207T230000Z-42-ab12', 'engine', '20261207T230000Z-42-ab12-engine'],
    ['20261207T230000Z-42-ab12', '@org/ui lib', '20261207T230000Z-42-ab12--org-ui-lib'],
  ])('%s + %s → %s', (fleet, project, expected) => {
    expect(fleetForkRunId(fleet, project)).toBe(expected);
  });
});

describe('FleetSummarySchema', () => {
  it('accepts a summary and refuses an unknown field', () => {
    const summary = {
      schemaVersion: 1,
      fleetRunId: 'f',
      generatedAt: '2026-12-07T23:00:00.000Z',
      exitCode: 10,
      parallel: 2,
      forks: [{ name: 'a', config: '/w/a/rebase-daily.json', runId: 'f-a', outcome: 'verify-conflict', exitCode: 10, report: '/w/a/r/report.json' }],
    };
    expect(FleetSummarySchema.parse(summary)).toEqual(summary);
    expect(FleetSummarySchema.safeParse({ ...summary, extra: 1 }).success).toBe(false);
    expect(FleetSummarySchema.safeParse({ ...summary, forks: [{ ...summary.forks[0], outcome: 'not-run', report: null, runId: null }] }).success).toBe(true);
  });
});
