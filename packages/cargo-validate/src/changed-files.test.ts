import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@rebase-daily/core';
import { commitFiles, git, initRepo } from '@rebase-daily/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { changedFiles, parsePorcelainZ, restoreFiles } from './changed-files.js';

describe('parsePorcelainZ', () => {
  it.each([
    ['clean', '', { tracked: [], untracked: [] }],
    ['modified + untracked (real git output)', ' M crates/alpha/src/lib.rs\0?? new file.rs\0', { tracked: ['crates/alpha/src/lib.rs'], untracked: ['new file.rs'] }],
    ['rename carries its source', 'R  b.rs\0a.rs\0 D gone.rs\0', { tracked: ['b.rs', 'a.rs', 'gone.rs'], untracked: [] }],
  ])('%s', (_name, text, expected) => {
    expect(parsePorcelainZ(text)).toEqual(expected);
  });
});

describe('restoreFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cv-restore-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('restores exactly the changed paths and leaves the tree clean', async () => {
    const repo = initRepo(join(dir, 'r'));
    commitFiles(repo, { 'a.rs': 'fn a() {}\n', 'b.rs': 'fn b() {}\n' }, 'init');
    writeFileSync(join(repo, 'a.rs'), 'fn a() {} // reformatted\n');
    writeFileSync(join(repo, 'extra.rs'), 'new\n');
    const changes = await changedFiles(run, repo);
    expect(changes).toEqual({ tracked: ['a.rs'], untracked: ['extra.rs'] });
    expect(await restoreFiles(run, repo, changes)).toBe(true);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(execFileSync('cat', [join(repo, 'a.rs')], { encoding: 'utf8' })).toBe('fn a() {}\n');
  });
});
