import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '@rebase-daily/core/testing';
import { COMMANDS, EnvelopeSchema } from '../src/index.js';
import { cli, cliRoot, day, type Day } from './helpers.js';

// Every command, --json: exactly one document on stdout, valid against the published envelope
// schema, its exit code equal to the process exit code.
let d: Day | undefined;
afterEach(() => d?.fixture.cleanup());

const published = JSON.parse(readFileSync(join(cliRoot, 'envelope.schema.json'), 'utf8'));

describe('--json on every command', () => {
  it('covers the whole command table', async () => {
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] });
    const out = makeTempDir();
    const argsFor: Record<string, string[]> = {
      init: ['--repo', d.fixture.clone, '--config', join(out, 'init.json'), '--docs-dir', join(out, 'docs')],
      prompt: ['--write', join(out, 'prompt.md')],
      resolve: ['status'],
    };
    const seen: string[] = [];
    // verify before apply (apply needs a clean verify), publish after it (it pushes what apply left); daily last but one, status/report after it.
    for (const command of ['doctor', 'prompt', 'init', 'verify', 'apply', 'align', 'validate', 'publish', 'daily', 'report', 'status', 'history', 'dashboard', 'lock', 'unlock', 'resolve']) {
      const r = await cli([command, ...(command === 'init' ? [] : ['--config', d.configPath]), ...(argsFor[command] ?? []), '--json']);
      const env = EnvelopeSchema.parse(r.json);
      expect(env.command, command).toBe(command === 'resolve' ? 'resolve status' : command);
      expect(r.code, `${command}: ${JSON.stringify(env.errors)}`).toBe(env.exitCode);
      expect(env.ok).toBe(env.exitCode === 0);
      for (const key of published.required) expect(env, `${command}.${key}`).toHaveProperty(key);
      seen.push(command);
    }
    expect(seen.sort()).toEqual(Object.keys(COMMANDS).sort());
  });

  it('a usage error is an envelope too', async () => {
    const r = await cli(['prompt', '--trunk', 'x', '--json']);
    expect(r.code).toBe(2);
    expect(EnvelopeSchema.parse(r.json)).toMatchObject({ command: 'usage', exitCode: 2, outcome: 'usage-error', errors: [{ code: 'E_USAGE' }] });
    expect(r.json.errors[0].message).toBe("`rebase-daily prompt` does not take --trunk (`rebase-daily init` does); see `rebase-daily prompt --help`");
  });
});
