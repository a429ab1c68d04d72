import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { STAGES } from '@rebase-daily/core';
import { createNodesV2, forkPluginOptionsJsonSchema, forkProjectName, forkTargets, inferForkProjects, parseForkPluginOptions } from './index.js';

// The plugin's pure parts (naming, targets, options) as tables; inference over a real folder of
// config files. The Nx side (the graph Nx builds from it, run-many) is tools/rebase/test/fleet.test.ts.
const schemaFile = fileURLToPath(new URL('../../plugin.schema.json', import.meta.url));
const ws = mkdtempSync(join(tmpdir(), 'rebase-plugin-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));
const write = (rel: string, body: unknown) => {
  mkdirSync(join(ws, rel, '..'), { recursive: true });
  writeFileSync(join(ws, rel), typeof body === 'string' ? body : JSON.stringify(body));
};

describe('forkProjectName', () => {
  it.each([
    ['forks/engine/rebase-daily.json', 'my-engine', 3, 'my-engine'],
    ['forks/engine/rebase-daily.json', undefined, 1, 'rebase'],
    ['forks/engine/rebase-daily.json', undefined, 3, 'engine'],
    ['rebase-daily.json', undefined, 2, 'rebase'],
    ['demo-fork/rebase-daily.json', undefined, 1, 'rebase'],
  ])('%s (name %s, %i forks) → %s', (file, name, count, expected) => {
    expect(forkProjectName(file, name, count)).toBe(expected);
  });
});

describe('forkTargets', () => {
  const base = { configFile: 'forks/a/rebase-daily.json', name: 'a', options: parseForkPluginOptions({}), treeHashCommand: 'node "x/tree-hash.mjs"', buildFirst: false };

  it('is verify → apply → align → validate → publish → report → daily, each with the config path', () => {
    const targets = forkTargets(base);
    expect(Object.keys(targets)).toEqual([...STAGES, 'daily']);
    expect(targets.verify.dependsOn).toBeUndefined();
    expect(targets.apply.dependsOn).toEqual(['verify']);
    expect(targets.daily).toEqual({ executor: 'nx:noop', dependsOn: ['report'], cache: false });
    for (const s of STAGES) expect(targets[s].options).toEqual({ config: 'forks/a/rebase-daily.json' });
    expect(Object.values(targets).filter((t) => t.cache).map((t) => t.executor)).toEqual(['@rebase-daily/cargo-validate:validate']);
    expect(targets.validate.inputs?.[0]).toEqual({ runtime: 'node "x/tree-hash.mjs" --nx --default-config "forks/a/rebase-daily.json"' });
    expect(targets.validate.outputs).toEqual(['{workspaceRoot}/.nx/rebase-daily/a/validate.json']);
  });

  it.each([
    ['', ['verify', 'apply', 'align', 'validate', 'publish', 'report', 'daily']],
    ['rd-', ['rd-verify', 'rd-apply', 'rd-align', 'rd-validate', 'rd-publish', 'rd-report', 'rd-daily']],
  ])('target prefix "%s"', (targetPrefix, names) => {
    const targets = forkTargets({ ...base, options: parseForkPluginOptions({ targetPrefix }) });
    expect(Object.keys(targets)).toEqual(names);
    expect(targets[names[6]].dependsOn).toEqual([names[5]]);
  });

  it('in the rebase-daily checkout, verify first builds every package (cached)', () => {
    const targets = forkTargets({ ...base, buildFirst: true });
    expect(targets.verify.dependsOn).toEqual([{ projects: expect.arrayContaining(['@rebase-daily/core', '@rebase-daily/cli']), target: 'build' }]);
  });
});

describe('plugin options', () => {
  it.each([
    [{ configGlob: '' }, /configGlob: .*fix them/],
    [{ targetPrefix: 'a b' }, /targetPrefix: may hold only letters/],
    [{ glob: 'x' }, /Unrecognized key/],
  ])('%j is refused with one line naming the field', (raw, message) => {
    expect(() => parseForkPluginOptions(raw)).toThrow(/^E_USAGE: invalid options of @rebase-daily\/cli\/plugin in nx.json: /);
    expect(() => parseForkPluginOptions(raw)).toThrow(message);
  });

  it('plugin.schema.json is generated from the zod schema (run `npm run schema -w @rebase-daily/cli` to refresh)', () => {
    expect(readFileSync(schemaFile, 'utf8')).toBe(`${JSON.stringify(forkPluginOptionsJsonSchema(), null, 2)}\n`);
  });
});

describe('inferForkProjects', () => {
  write('forks/engine/rebase-daily.json', { trunk: 't', name: 'engine-rs' });
  write('forks/ui/rebase-daily.json', { trunk: 't' });
  write('forks/broken/rebase-daily.json', '{ not json');
  write('forks/ui/node_modules/dep/rebase-daily.json', { trunk: 't' });
  write('forks/ui/.scratch/rebase-daily.json', { trunk: 't' });
  write('other/rebase-daily.local.json', { trunk: 't' });
  const files = ['forks/engine/rebase-daily.json', 'forks/ui/rebase-daily.json', 'forks/broken/rebase-daily.json', 'forks/ui/node_modules/dep/rebase-daily.json', 'forks/ui/.scratch/rebase-daily.json', 'other/rebase-daily.local.json'];
  const names = (results: ReturnType<typeof inferForkProjects>) => results.flatMap(([file, r]) => Object.values(r.projects).map((p) => `${file} → ${p.name} @ ${p.root} [${p.tags}]`));

  it('one project per config outside node_modules and scratch dirs, named by config, else folder', () => {
    expect(names(inferForkProjects(files, parseForkPluginOptions({}), { workspaceRoot: ws }, {}))).toEqual([
      'forks/engine/rebase-daily.json → engine-rs @ forks/engine [rebase-fork]',
      'forks/ui/rebase-daily.json → ui @ forks/ui [rebase-fork]',
      'forks/broken/rebase-daily.json → broken @ forks/broken [rebase-fork]',
    ]);
  });

  it('configGlob narrows the files', () => {
    expect(names(inferForkProjects(files, parseForkPluginOptions({ configGlob: 'forks/ui/*.json' }), { workspaceRoot: ws }, {}))).toEqual(['forks/ui/rebase-daily.json → rebase @ forks/ui [rebase-fork]']);
  });

  it('the config REBASE_DAILY_CONFIG names outside the workspace is `rebase`; the workspace forks keep folder names', () => {
    const outside = mkdtempSync(join(tmpdir(), 'rebase-plugin-ext-'));
    try {
      writeFileSync(join(outside, 'rebase-daily.json'), '{"trunk":"t"}');
      const env = { REBASE_DAILY_CONFIG: join(outside, 'rebase-daily.json') };
      expect(names(inferForkProjects(['forks/ui/rebase-daily.json'], parseForkPluginOptions({}), { workspaceRoot: ws }, env))).toEqual([
        'forks/ui/rebase-daily.json → ui @ forks/ui [rebase-fork]',
        'nx.json → rebase @ . [rebase-fork]',
      ]);
      // A config inside the workspace is found by the glob, not added twice; a missing one adds nothing.
      expect(names(inferForkProjects([], parseForkPluginOptions({}), { workspaceRoot: ws }, { REBASE_DAILY_CONFIG: join(ws, 'forks/ui/rebase-daily.json') }))).toEqual([]);
      expect(names(inferForkProjects([], parseForkPluginOptions({}), { workspaceRoot: ws }, { REBASE_DAILY_CONFIG: join(outside, 'missing.json') }))).toEqual([]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('createNodesV2 asks Nx for config files and nx.json', () => {
    expect(createNodesV2[0]).toBe('{**/rebase-daily*.json,nx.json}');
  });
});
