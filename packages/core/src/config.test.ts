import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, loadConfig, parseConfig } from './config.js';
import { makeTempDir } from './testing/index.js';

describe('parseConfig', () => {
  it('fills every default from a minimal config', () => {
    const r = parseConfig({ trunk: 'codex/integration-upstream-main' }, '/x/rebase-daily.json');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config).toMatchObject({
      repo: '.',
      repoPath: '/x',
      trunk: 'codex/integration-upstream-main',
      mirror: 'main',
      upstreamBranch: 'main',
      remotes: { fork: 'origin', upstream: 'upstream' },
      scratchDir: '.scratch',
      scratchPath: '/x/.scratch',
      lock: { staleAfterHours: 6 },
      engine: 'auto',
    });
    expect(r.config.version).toBeUndefined();
    expect(r.config.graphite).toBeUndefined();
    expect(r.config.validate).toBeUndefined();
  });

  it('resolves repo relative to the config file, and --repo against cwd', () => {
    const a = parseConfig({ trunk: 't', repo: '../fork' }, '/cfg/dir/rebase-daily.json');
    expect(a.ok && a.config.repoPath).toBe('/cfg/fork');
    const b = parseConfig({ trunk: 't', repo: '../fork' }, '/cfg/dir/rebase-daily.json', 'elsewhere', '/home');
    expect(b.ok && b.config.repoPath).toBe('/home/elsewhere');
  });

  it.each([
    [{}, ['trunk: is required; add it to the config']],
    [{ trunk: 'main' }, ['trunk: must differ from mirror ("main"); the mirror is a pure copy of upstream']],
    [{ trunk: 'a b' }, ['trunk: is not a valid git branch name']],
    [{ trunk: 't', remotes: { fork: 'origin', upstream: 'origin' } }, ['remotes.upstream: must differ from remotes.fork ("origin"); rebase-daily never pushes to upstream']],
    [{ trunk: 't', lock: { staleAfterHours: -1 } }, ['lock.staleAfterHours: Too small: expected number to be >0']],
    [{ trunk: 't', trunkk: 1 }, ['unknown key(s) "trunkk"; remove them or check the spelling against config.schema.json']],
    [{ trunk: 't', engine: 'fast' }, ['engine: Invalid option: expected one of "auto"|"memory"|"worktree"']],
    [{ trunk: 't', validate: { test: [] } }, ['validate.test: needs at least the program name']],
    [{ trunk: 't', version: { suffix: '-fork', source: 'tag', tagPattern: 'v\\d+' } }, ['version.tagPattern: needs one capture group around the version']],
  ])('rejects %j with every problem named', (raw, expected) => {
    const r = parseConfig(raw, '/x/rebase-daily.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual(expected);
  });

  it('reports all problems at once', () => {
    const r = parseConfig({ mirror: 'a b', lock: { staleAfterHours: 'x' } }, '/x/c.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.length).toBe(3);
  });
});

describe('loadConfig', () => {
  it('finds --config, else REBASE_DAILY_CONFIG, else ./rebase-daily.json', () => {
    const dir = makeTempDir();
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'rebase-daily.json'), JSON.stringify({ trunk: 'cwd' }));
    writeFileSync(join(dir, 'env.json'), JSON.stringify({ trunk: 'env' }));
    writeFileSync(join(dir, 'sub', 'flag.json'), JSON.stringify({ trunk: 'flag' }));
    const env = { REBASE_DAILY_CONFIG: join(dir, 'env.json') };
    const trunk = (r: ReturnType<typeof loadConfig>) => (r.ok ? r.config.trunk : r.errors.join());
    expect(trunk(loadConfig({ configPath: 'sub/flag.json', cwd: dir, env }))).toBe('flag');
    expect(trunk(loadConfig({ cwd: dir, env }))).toBe('env');
    expect(trunk(loadConfig({ cwd: dir, env: {} }))).toBe('cwd');
  });

  it('names the fix when the file is missing or not JSON', () => {
    const dir = makeTempDir();
    const missing = loadConfig({ cwd: dir, env: {} });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.errors[0]).toMatch(/config file not found: .*rebase-daily\.json; pass --config FILE/);
    writeFileSync(join(dir, 'rebase-daily.json'), '{ trunk: ');
    const bad = loadConfig({ cwd: dir, env: {} });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]).toMatch(/is not valid JSON .*fix the syntax/);
  });
});

describe('config JSON Schema', () => {
  it('is generated from the zod schema and checked in as config.schema.json', () => {
    const file = new URL('../config.schema.json', import.meta.url);
    const checkedIn = JSON.parse(readFileSync(file, 'utf8'));
    // Regenerate with: npm run schema -w @rebase-daily/core
    expect(checkedIn).toEqual(configJsonSchema());
  });
});
