import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '@rebase-daily/core/testing';
import { resolveGt } from './gt-bin.js';
import { parseGraphiteRepoConfig } from './graphite-repo.js';

const root = makeTempDir('rebase-daily-gt-bin-');
afterAll(() => removeDir(root));
const exe = (path: string) => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
};

describe('resolveGt', () => {
  const onPath = exe(join(root, 'path-bin', 'gt'));
  const inWorkspace = exe(join(root, 'ws', 'node_modules', '.bin', 'gt'));
  const deep = join(root, 'ws', 'packages', 'x', 'src');
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(root, 'not-exec'), '');

  it('PATH first', () => {
    expect(resolveGt({ pathEnv: join(root, 'path-bin'), searchFrom: [deep] })).toEqual({ path: onPath, source: 'path' });
  });
  it('then node_modules/.bin searched upward', () => {
    expect(resolveGt({ pathEnv: '', searchFrom: [join(root, 'elsewhere'), deep] })).toEqual({ path: inWorkspace, source: 'workspace' });
  });
  it('a configured relative path resolves against the config folder', () => {
    expect(resolveGt({ bin: './path-bin/gt', baseDir: root, pathEnv: '', searchFrom: [] })).toEqual({ path: onPath, source: 'config' });
  });
  it('a configured path that is missing or not executable is null, not another gt', () => {
    expect(resolveGt({ bin: './nope/gt', baseDir: root, searchFrom: [deep] })).toBeNull();
    expect(resolveGt({ bin: './not-exec', baseDir: root, searchFrom: [deep] })).toBeNull();
  });
  it('nothing anywhere is null', () => {
    expect(resolveGt({ pathEnv: '', searchFrom: [join(root, 'elsewhere')] })).toBeNull();
  });
  it("finds this workspace's real gt by default", () => {
    expect(resolveGt({ pathEnv: '' })?.path).toMatch(/node_modules\/\.bin\/gt$/);
  });
});

describe('parseGraphiteRepoConfig', () => {
  it.each([
    // Real content written by `gt init --trunk main` (gt 1.8.6).
    ['{\n  "trunk": "main",\n  "trunks": [\n    {\n      "name": "main"\n    }\n  ]\n}', 'main'],
    ['{"trunks":[{"name":"fork/trunk"}]}', 'fork/trunk'],
    ['{}', null],
    ['not json', null],
  ])('%s', (text, trunk) => {
    expect(parseGraphiteRepoConfig(text).trunk).toBe(trunk);
  });
});
