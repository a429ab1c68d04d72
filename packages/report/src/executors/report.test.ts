import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import reportExecutor from './report.js';

// The options schema file itself is checked against core's NxStageOptionsSchema by
// tools/rebase/test/executor-schemas.test.ts, for every stage package at once.
const executorsJson = fileURLToPath(new URL('../../executors.json', import.meta.url));

describe('report executor', () => {
  it('executors.json points at the built implementation and the schema file', () => {
    const json = JSON.parse(readFileSync(executorsJson, 'utf8')) as { executors: { report: { schema: string; implementation: string } } };
    // Not ./executors/report.schema.json: for a workspace package Nx first "guesses the source" by
    // dropping the leading folder, and would pick the package's report.schema.json (the report's
    // own JSON Schema) as the executor's options schema.
    expect(json.executors.report.schema).toBe('./executors/report-executor.schema.json');
    expect(json.executors.report.implementation).toBe('./dist/executors/report.cjs');
  });

  it('refuses unknown options without touching anything', async () => {
    expect(await reportExecutor({ confg: 'typo.json' }, { root: '/nonexistent' })).toEqual({ success: false });
  });
});
