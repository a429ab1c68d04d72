import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, loadConfig, parseConfig } from './config.js';
import { makeTempDir } from '../testing/index.js';

/** The errors of a result that must have failed; a result that passed fails the test here (no silent branch). */
function errorsOf(r: { ok: true } | { ok: false; errors: string[] }): string[] {
  if (r.ok) throw new Error('expected the config to be refused, but it parsed');
  return r.errors;
}

describe('parseConfig', () => {
  it('fills every default from a minimal config', () => {
    const r = parseConfig({ trunk: 'codex/integration-upstream-main' }, '/x/rebase-daily.json');
    if (!r.ok) throw new Error(`expected the minimal config to parse: ${r.errors.join('; ')}`);
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
    [{ trunk: 'a b' }, ['trunk: is not a valid git branch name, found the string "a b"']],
    [{ trunk: 42 }, ['trunk: expected a string, found the number 42; change it to a string']],
    [{ trunk: null }, ['trunk: expected a string, found null; change it to a string']],
    [{ trunk: ['a'] }, ['trunk: expected a string, found an array of 1; change it to a string']],
    [{ trunk: 't', push: { enabled: 'yes' } }, ['push.enabled: expected true or false, found the string "yes"; change it to true or false']],
    [{ trunk: 't', push: { timeoutSeconds: 1.5 } }, ['push.timeoutSeconds: expected a whole number, found the number 1.5; change it to a whole number']],
    [{ trunk: 't', remotes: 'origin' }, ['remotes: expected an object, found the string "origin"; change it to an object']],
    [{ trunk: 't', remotes: { fork: 'origin', upstream: 'origin' } }, ['remotes.upstream: must differ from remotes.fork ("origin"); rebase-daily never pushes to upstream']],
    [{ trunk: 't', lock: { staleAfterHours: -1 } }, ['lock.staleAfterHours: it must be > 0, found the number -1; change it']],
    [{ trunk: 't', trunkk: 1 }, ['trunkk: unknown key; did you mean "trunk"? rename it (known keys: $schema, repo, trunk, mirror, upstreamBranch, remotes, scratchDir, lock, engine, onConflict, push, publish, version, graphite, validate, report, conflicts, name)']],
    [{ trunk: 't', mirorr: 'main' }, ['mirorr: unknown key; did you mean "mirror"? rename it (known keys: $schema, repo, trunk, mirror, upstreamBranch, remotes, scratchDir, lock, engine, onConflict, push, publish, version, graphite, validate, report, conflicts, name)']],
    [{ trunk: 't', remotes: { forkk: 'o' } }, ['remotes.forkk: unknown key; did you mean "fork"? rename it (known keys in remotes: fork, upstream)']],
    [{ trunk: 't', validate: { extraSteps: [{ name: 'x', command: ['a'], timeout: 3 }] } }, ['validate.extraSteps[0].timeout: unknown key; remove it (known keys in validate.extraSteps[0]: name, command, timeoutSeconds)']],
    [{ trunk: 't', colour: 'x' }, ['colour: unknown key; remove it (known keys: $schema, repo, trunk, mirror, upstreamBranch, remotes, scratchDir, lock, engine, onConflict, push, publish, version, graphite, validate, report, conflicts, name)']],
    [{ trunk: 't', engine: 'fast' }, ['engine: expected one of "auto", "memory", "worktree", found the string "fast"; use one of those']],
    [{ trunk: 't', engine: 'memroy' }, ['engine: expected one of "auto", "memory", "worktree", found the string "memroy"; did you mean "memory"?']],
    [{ trunk: 't', validate: { format: 'just fmt' } }, ['validate.format: expected an array or false, found the string "just fmt"; change it to an array or false']],
    [{ trunk: 't', validate: { test: [] } }, ['validate.test: needs at least the program name, found an empty array']],
    [{ trunk: 't', version: { suffix: '-fork', source: 'tag', tagPattern: 'v\\d+' } }, ['version.tagPattern: needs one capture group around the version']],
    [[], ['the config must be a JSON object like {"trunk": "my-fork/main"}, found an empty array; rewrite the file as one JSON object']],
    [[{ trunk: 't' }], ['the config must be a JSON object like {"trunk": "my-fork/main"}, found an array of 1; rewrite the file as one JSON object']],
    ['t', ['the config must be a JSON object like {"trunk": "my-fork/main"}, found the string "t"; rewrite the file as one JSON object']],
    [null, ['the config must be a JSON object like {"trunk": "my-fork/main"}, found null; rewrite the file as one JSON object']],
    [42, ['the config must be a JSON object like {"trunk": "my-fork/main"}, found the number 42; rewrite the file as one JSON object']],
  ])('rejects %j with every problem named', (raw, expected) => {
    expect(errorsOf(parseConfig(raw, '/x/rebase-daily.json'))).toEqual(expected);
  });

  it('reports all problems at once', () => {
    const problems = errorsOf(parseConfig({ mirror: 'a b', lock: { staleAfterHours: 'x' } }, '/x/c.json'));
    expect(problems.map((e) => e.split(':')[0])).toEqual(['trunk', 'mirror', 'lock.staleAfterHours']);
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

  it('names the fix when the file is missing', () => {
    const dir = makeTempDir();
    const missing = loadConfig({ cwd: dir, env: {} });
    expect(errorsOf(missing)).toEqual([`config file not found: ${join(dir, 'rebase-daily.json')}; pass --config FILE, set REBASE_DAILY_CONFIG, or run \`rebase-daily init\``]);
    expect(missing).toMatchObject({ ok: false, notFound: true });
  });

  it('says so when --config names a directory', () => {
    const dir = makeTempDir();
    expect(errorsOf(loadConfig({ configPath: dir, cwd: dir, env: {} }))).toEqual([`${dir}: is a directory, not a config file; pass the file itself (e.g. --config ${dir}/rebase-daily.json)`]);
  });

  it.each([
    ['{ trunk: ', 'line 1, column 3: Expected property name or \'}\'; fix the JSON syntax there'],
    ['{\n  "trunk": "t",\n}\n', 'line 3, column 1: Expected double-quoted property name; fix the JSON syntax there'],
    ['{\n  "trunk": "t"\n  "mirror": "m"\n}', "line 3, column 3: Expected ',' or '}' after property value; fix the JSON syntax there"],
    ['{"trunk": "t"', 'line 1, column 14: Expected \',\' or \'}\' after property value; fix the JSON syntax there'],
    ['{"trunk":', 'line 1, column 10: Unexpected end of JSON input; fix the JSON syntax there'],
    ['', 'the file is empty; write a JSON object like {"trunk": "my-fork/main"}'],
  ])('invalid JSON %j names the line and column', (text, expected) => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'rebase-daily.json'), text);
    expect(errorsOf(loadConfig({ cwd: dir, env: {} }))).toEqual([`${join(dir, 'rebase-daily.json')}: is not valid JSON: ${expected}`]);
  });
});

describe('config JSON Schema', () => {
  it('is generated from the zod schema and checked in as config.schema.json', () => {
    const file = new URL('../../config.schema.json', import.meta.url);
    const checkedIn = JSON.parse(readFileSync(file, 'utf8'));
    // Regenerate with: npm run schema -w @rebase-daily/core
    expect(checkedIn).toEqual(configJsonSchema());
  });
});
