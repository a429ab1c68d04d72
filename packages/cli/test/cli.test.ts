import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '@rebase-daily/core/testing';
import { EnvelopeSchema } from '../src/index.js';
import { cli, day, type Day } from './helpers.js';

let d: Day | undefined;
afterEach(() => d?.fixture.cleanup());

describe('bad input: one line naming the fix, exit 2, nothing touched', () => {
  it.each([
    [['daily', '--bogus'], /unknown flag --bogus; see `rebase-daily daily --help`/],
    [['frobnicate'], /unknown command "frobnicate"; commands: daily, verify/],
    [['daily', 'extra'], /unexpected argument "extra"/],
  ])('%j', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('a missing config names the three ways to give one', async () => {
    const dir = makeTempDir();
    const r = await cli(['daily', '--json'], { REBASE_DAILY_CONFIG: '' }, dir);
    expect(r.code).toBe(2);
    expect(EnvelopeSchema.parse(r.json).errors[0].message).toMatch(/config file not found.*--config FILE.*REBASE_DAILY_CONFIG/);
  });

  it('an invalid config lists every problem with its field', async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'rebase-daily.json'), JSON.stringify({ trunk: 'main', lock: { staleAfterHours: 0 }, typo: 1 }));
    const r = await cli(['verify'], { REBASE_DAILY_CONFIG: '' }, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/lock\.staleAfterHours/);
    expect(r.stderr).toMatch(/typo: unknown key; remove it/);
  });
});

describe('help and JSON', () => {
  it('--help lists commands, flags and every exit code', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const token of ['daily', 'verify', 'apply', 'align', 'validate', 'report', 'status', '--config', '--repo', '--json', 'FORCE_STALE_LOCK', ' 15 ']) expect(r.stdout).toContain(token);
  });

  it('every command prints one valid envelope with --json', async () => {
    d = day();
    for (const command of ['verify', 'daily', 'report', 'status']) {
      const r = await cli([command, '--config', d.configPath, '--json']);
      expect(() => EnvelopeSchema.parse(r.json), command).not.toThrow();
      expect(r.json.command).toBe(command);
      expect(r.code).toBe(r.json.exitCode);
    }
  });

  it('dirty tree: exit 1, one-line error, tree untouched, report written', async () => {
    d = day();
    writeFileSync(join(d.fixture.clone, 'FORK.md'), 'local edit\n');
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.code).toBe(1);
    expect(r.json.errors[0].code).toBe('E_DIRTY_TREE');
    expect(d.report().outcome).toBe('error');
    expect(d.clean()).toBe(false);
  });

  it('a repo path inside the work tree (not its top): exit 2, an error naming the top, nothing written', async () => {
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] });
    const before = d.refs();
    const r = await cli(['daily', '--config', d.configPath, '--repo', join(d.fixture.clone, 'src'), '--json']);
    expect(r.code).toBe(2);
    const human = await cli(['daily', '--config', d.configPath, '--repo', join(d.fixture.clone, 'src')]);
    expect(human.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^rebase-daily: E_NOT_TOP_LEVEL: .* not its top level; set "repo" to /)]);
    expect(r.json.errors[0]).toMatchObject({ code: 'E_NOT_TOP_LEVEL', details: { top: d.fixture.clone } });
    expect(r.json.errors[0].message).toContain(`set "repo" to ${d.fixture.clone} in the config or pass --repo ${d.fixture.clone}`);
    expect(d.refs()).toEqual(before);
    expect(d.clean()).toBe(true);
  });

  it('--repo overrides the config repo', async () => {
    d = day();
    const r = await cli(['status', '--config', d.configPath, '--repo', d.fixture.clone, '--json']);
    expect(r.code).toBe(0);
    expect(r.json.data.lock.held).toBe(false);
  });
});
