import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import reportExecutor, { reportExecutorJsonSchema } from './report.js';

const schemaFile = fileURLToPath(new URL('../../executors/report/schema.json', import.meta.url));
const executorsJson = fileURLToPath(new URL('../../executors.json', import.meta.url));

describe('report executor', () => {
  it('executors/report/schema.json is generated from the zod options schema (`npm run schema -w @rebase-daily/report`)', () => {
    const generated = `${JSON.stringify(reportExecutorJsonSchema(), null, 2)}\n`;
    if (process.env.REPORT_SCHEMA_WRITE === '1') writeFileSync(schemaFile, generated);
    expect(existsSync(schemaFile)).toBe(true);
    expect(readFileSync(schemaFile, 'utf8'), 'executors/report/schema.json is stale; run `npm run schema -w @rebase-daily/report`').toBe(generated);
  });

  it('executors.json points at the schema file', () => {
    const json = JSON.parse(readFileSync(executorsJson, 'utf8')) as { executors: { report: { schema: string; implementation: string } } };
    expect(fileURLToPath(new URL(json.executors.report.schema, new URL('../../', import.meta.url)))).toBe(schemaFile);
    expect(json.executors.report.implementation).toBe('./dist/executors/report.cjs');
  });

  it('refuses unknown options without touching anything', async () => {
    expect(await reportExecutor({ confg: 'typo.json' }, { root: '/nonexistent' })).toEqual({ success: false });
  });
});
