import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildReport } from './build-report.js';
import { reportJsonSchema, ReportSchema } from './report-schema.js';
import { RECORDED_RUNS, recordedRun } from './testing/recorded-runs.js';

const schemaFile = fileURLToPath(new URL('../report.schema.json', import.meta.url));

describe('report.schema.json', () => {
  it('is the JSON Schema generated from ReportSchema (run `npm run schema -w @rebase-daily/report` to refresh)', () => {
    const generated = `${JSON.stringify(reportJsonSchema(), null, 2)}\n`;
    expect(existsSync(schemaFile), 'report.schema.json is missing; run `npm run schema -w @rebase-daily/report`').toBe(true);
    expect(readFileSync(schemaFile, 'utf8'), 'report.schema.json is stale; run `npm run schema -w @rebase-daily/report`').toBe(generated);
  });

  it('names the fixed fields as required', () => {
    const schema = reportJsonSchema() as { required: string[]; properties: Record<string, { enum?: string[] }> };
    for (const field of ['exitCode', 'outcome', 'stages', 'shas', 'lock', 'conflict', 'lease', 'reportVersion']) expect(schema.required).toContain(field);
    expect(schema.properties.outcome.enum).toEqual(expect.arrayContaining(['success', 'no-change', 'verify-conflict', 'apply-conflict', 'push-blocked', 'graphite-failed', 'validation-failed', 'lock-taken', 'error']));
  });
});

describe('ReportSchema', () => {
  it.each(RECORDED_RUNS)('accepts the report built from the recorded %s run', (name) => {
    const make = () => recordedRun(name);
    const report = buildReport(make());
    expect(ReportSchema.safeParse(report).error?.issues ?? []).toEqual([]);
    // And it survives a JSON round trip unchanged (what status reads back).
    expect(ReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
  });

  it.each([
    ['an unknown outcome', { outcome: 'partly-ok' }],
    ['a transient stage status', { stages: [{ name: 'verify', status: 'running', summary: '', startedAt: null, finishedAt: null, durationMs: null, data: {} }] }],
    ['an abbreviated SHA', { shas: { before: { upstream: 'abc1234', mirror: null, trunk: null, forkTrunk: null }, after: { upstream: null, mirror: null, trunk: null, forkTrunk: null } } }],
    ['a newer report version', { reportVersion: 3 }],
  ])('rejects %s', (_what, patch) => {
    const report = { ...buildReport(recordedRun('success'), { docs: null }), ...patch };
    expect(ReportSchema.safeParse(report).success).toBe(false);
  });
});
