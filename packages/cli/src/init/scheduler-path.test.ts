import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '@rebase-daily/core/testing';
import { schedulerPath } from './scheduler-path.js';

const root = makeTempDir('rebase-daily-sched-path-');
afterAll(() => removeDir(root));

function folderWith(name: string, ...tools: string[]): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const t of tools) {
    writeFileSync(join(dir, t), '#!/bin/sh\n');
    chmodSync(join(dir, t), 0o755);
  }
  return dir;
}

describe('schedulerPath', () => {
  it('names the folders of node and of the tools found on PATH, then the system folders; nothing else of PATH', () => {
    const venv = folderWith('venv-bin', 'python');
    const cargo = folderWith('cargo-bin', 'cargo');
    const gitDir = folderWith('git-bin', 'git', 'gt');
    const path = [venv, cargo, gitDir, '/nonexistent'].join(':');
    expect(schedulerPath(path, '/opt/node/bin/node')).toBe(['/opt/node/bin', gitDir, cargo, '/usr/local/bin', '/usr/bin', '/bin'].join(':'));
  });

  it('no tool on PATH: node and the system folders, each once', () => {
    expect(schedulerPath('', '/usr/bin/node')).toBe('/usr/bin:/usr/local/bin:/bin');
  });
});
