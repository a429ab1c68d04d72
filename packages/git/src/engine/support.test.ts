import { run } from '@rebase-daily/core';
import { commitFiles, git, initRepo, makeTempDir, removeDir } from '@rebase-daily/core/testing';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { engineSupport } from './support.js';

const env = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
let dir: string | undefined;
afterEach(() => dir && removeDir(dir));

function repo(): string {
  dir = makeTempDir('rebase-daily-support-');
  const r = initRepo(join(dir, 'r'));
  commitFiles(r, { 'a.txt': 'a\n' }, 'initial');
  return r;
}

describe('engineSupport', () => {
  it('supports a plain repository on this git', async () => {
    expect(await engineSupport(run, repo(), { env })).toMatchObject({ supported: true, reasons: [], gitVersion: expect.stringMatching(/^2\./) });
  });

  it('reports signing, merge drivers, rerere with resolutions and merge attributes', async () => {
    const r = repo();
    git(r, 'config', 'commit.gpgsign', 'true');
    git(r, 'config', 'merge.ours.driver', 'true');
    git(r, 'config', 'rerere.enabled', 'true');
    mkdirSync(join(r, '.git', 'rr-cache', 'abc'), { recursive: true });
    writeFileSync(join(r, '.git', 'rr-cache', 'abc', 'postimage'), 'x\n');
    git(r, 'config', 'commit.gpgsign', 'false'); // committing the attributes must not try to sign
    commitFiles(r, { 'sub/.gitattributes': '*.lock merge=ours\n' }, 'attributes');
    git(r, 'config', 'commit.gpgsign', 'true');
    const support = await engineSupport(run, r, { env, revs: ['HEAD'] });
    expect(support.supported).toBe(false);
    expect(support.reasons.join('\n')).toMatch(/commit\.gpgsign/);
    expect(support.reasons.join('\n')).toMatch(/merge driver\(s\) configured: ours/);
    expect(support.reasons.join('\n')).toMatch(/rerere/);
    expect(support.reasons.join('\n')).toMatch(/sub\/\.gitattributes/);
  });

  it('ignores an empty rr-cache and rerere switched off', async () => {
    const r = repo();
    mkdirSync(join(r, '.git', 'rr-cache', 'abc'), { recursive: true });
    git(r, 'config', 'rerere.enabled', 'false');
    expect((await engineSupport(run, r, { env })).supported).toBe(true);
  });
});
