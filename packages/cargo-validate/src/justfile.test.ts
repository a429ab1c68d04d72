import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '@rebase-daily/core/testing';
import { run } from '@rebase-daily/core';
import { hasJustfile, isJustfileName } from './justfile.js';
import { defaultToolSearchDirs, resolveTool } from './resolve-tool.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

// The validate stage listed four spellings, doctor and init three: `JUSTFILE` and `.Justfile` were a
// justfile to one and not the other. just itself matches the two names in any case.
describe('justfile names', () => {
  it.each([
    ['justfile', true],
    ['Justfile', true],
    ['JUSTFILE', true],
    ['JuStFiLe', true],
    ['.justfile', true],
    ['.Justfile', true],
    ['justfile.bak', false],
    ['my.justfile', false],
    ['Makefile', false],
  ])('%s → %s, as just itself finds it', async (name, expected) => {
    expect(isJustfileName(name)).toBe(expected);
    const dir = makeTempDir('rebase-daily-just-');
    dirs.push(dir);
    mkdirSync(join(dir, '.git')); // just stops its upward search at a project root
    writeFileSync(join(dir, name), 'fmt:\n\techo fmt\n');
    expect(hasJustfile(dir)).toBe(expected);
    const just = resolveTool('just', { searchDirs: defaultToolSearchDirs() });
    expect(just, 'the workspace installs rust-just').toBeTruthy();
    const summary = await run(just!, ['--summary'], { cwd: dir });
    expect(summary.exitCode === 0 && summary.stdout.trim() === 'fmt').toBe(expected);
  });
});
