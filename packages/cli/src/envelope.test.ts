import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { envelope, envelopeJsonSchema, EnvelopeSchema } from './envelope.js';

const schemaFile = fileURLToPath(new URL('../envelope.schema.json', import.meta.url));

describe('envelope.schema.json', () => {
  it('is the JSON Schema generated from EnvelopeSchema (run `npm run schema -w @rebase-daily/cli` to refresh)', () => {
    const generated = `${JSON.stringify(envelopeJsonSchema(), null, 2)}\n`;
    expect(existsSync(schemaFile), 'envelope.schema.json is missing; run `npm run schema -w @rebase-daily/cli`').toBe(true);
    expect(readFileSync(schemaFile, 'utf8'), 'envelope.schema.json is stale; run `npm run schema -w @rebase-daily/cli`').toBe(generated);
  });

  it('requires every field of the documented envelope', () => {
    const schema = envelopeJsonSchema() as { required: string[] };
    expect(schema.required.sort()).toEqual(['command', 'data', 'errors', 'exitCode', 'ok', 'outcome'].sort());
  });
});

describe('envelope()', () => {
  it.each([
    [0, true],
    [10, false],
  ])('exit %d → ok %s, and it validates', (code, ok) => {
    const e = envelope('daily', code, code ? 'verify-conflict' : 'success', null, code ? [{ code: 'E_X', message: 'm' }] : []);
    expect(e.ok).toBe(ok);
    expect(EnvelopeSchema.parse(e)).toEqual(e);
  });
});

describe('envelope data of stage commands', () => {
  it('references the command log instead of inlining commands, and status says whether the last run succeeded', () => {
    const data = (envelopeJsonSchema() as { properties: { data: { description: string } } }).properties.data.description;
    expect(data).toContain('commandLog');
    expect(data).toContain('never inlined');
    expect(data).toMatch(/ok \(the last run exited 0\)/);
  });
});
