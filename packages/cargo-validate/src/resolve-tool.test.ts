import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeDir } from '@rebase-daily/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveTool, toolMissingError } from './resolve-tool.js';

const dir = makeTempDir('cv-resolve-');
afterAll(() => removeDir(dir));

function fakeBin(path: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\nexit 0\n');
  chmodSync(path, 0o755);
  return path;
}

describe('resolveTool', () => {
  it('prefers PATH, then node_modules/.bin of a search dir or any parent', () => {
    const onPath = fakeBin(join(dir, 'path-bin', 'just'));
    const inWorkspace = fakeBin(join(dir, 'ws', 'node_modules', '.bin', 'just'));
    mkdirSync(join(dir, 'ws', 'packages', 'x'), { recursive: true });
    expect(resolveTool('just', { path: join(dir, 'path-bin'), searchDirs: [join(dir, 'ws', 'packages', 'x')] })).toBe(onPath);
    expect(resolveTool('just', { path: join(dir, 'nowhere'), searchDirs: [join(dir, 'ws', 'packages', 'x')] })).toBe(inWorkspace);
    expect(resolveTool('just', { path: join(dir, 'nowhere'), searchDirs: [] })).toBeNull();
  });

  it('finds the real rust-just of this workspace by default', () => {
    expect(resolveTool('just', { path: '/nonexistent' })).toMatch(/node_modules\/\.bin\/just$/);
  });

  it('skips files that are not executable', () => {
    mkdirSync(join(dir, 'noexec'), { recursive: true });
    writeFileSync(join(dir, 'noexec', 'cargo'), 'not a program');
    expect(resolveTool('cargo', { path: join(dir, 'noexec'), searchDirs: [] })).toBeNull();
  });

  it.each([
    ['just', 'npm i -D rust-just'],
    ['cargo', 'rustup'],
  ])('names the install for a missing %s in one line', (tool, hint) => {
    const err = toolMissingError(tool, 'the format step');
    expect(err.code).toBe('E_TOOL_MISSING');
    expect(err.message).toContain(hint);
    expect(err.message).not.toContain('\n');
  });
});
