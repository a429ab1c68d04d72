import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { git, gitSucceeds, makeTempDir, snapshotRepo, unexpectedChanges } from '@rebase-daily/core/testing';
import { cli, day, type Day } from './helpers.js';

// Issue 21 on real forks: odd repositories and hostile states are refused with the true reason,
// and nothing outside the run's own record changes. Each case asserts the exit code, the first
// line of the message and a snapshot of the clone and both bare remotes.
let d: Day | undefined;
afterEach(() => d?.fixture.cleanup());
beforeAll(() => {
  process.env.HOME = makeTempDir('rebase-daily-home-');
});

const snap = (dd: Day) => snapshotRepo({ repo: dd.fixture.clone, remotes: [dd.fixture.upstreamBare, dd.fixture.originBare] });
const check = (json: any, name: string) => json.data.checks.find((c: any) => c.name === name);
const firstLine = (text: string) => text.trim().split('\n')[0];

describe('a scratchDir the run must not write to: exit 2, nothing written (not even .git/info/exclude)', () => {
  it.each([
    ['a tracked folder ("src")', 'src', /which holds 1 tracked file\(s\) \(src\/lib\.txt\): new files there would vanish from `git status`/],
    ['the repo root (".")', '.', /which is the repo itself/],
    ['.git', '.git', /which is inside the repo's \.git directory/],
    ['inside .git (".git/scratch")', '.git/scratch', /which is inside the repo's \.git directory/],
  ])('%s', async (_what, scratchDir, message) => {
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] }, { scratchDir });
    const exclude = readFileSync(join(d.fixture.clone, '.git', 'info', 'exclude'), 'utf8');
    const before = snap(d);
    for (const command of ['daily', 'verify', 'lock']) {
      const r = await cli([command, '--config', d.configPath]);
      expect(r.code, r.stderr).toBe(2);
      expect(firstLine(r.stderr)).toMatch(/^rebase-daily: E_CONFIG: "scratchDir" resolves to /);
      expect(firstLine(r.stderr)).toMatch(message);
    }
    expect(unexpectedChanges(before, snap(d))).toEqual([]);
    expect(readFileSync(join(d.fixture.clone, '.git', 'info', 'exclude'), 'utf8')).toBe(exclude);
    const doc = await cli(['doctor', '--config', d.configPath, '--json']);
    expect(check(doc.json, 'scratch')).toMatchObject({ status: 'fail', message: expect.stringMatching(message) });
    expect(unexpectedChanges(before, snap(d))).toEqual([]);
  });

  it('an untracked folder inside the repo is fine (the default .scratch, or "cache")', async () => {
    d = day({}, { scratchDir: 'cache' });
    const r = await cli(['verify', '--config', d.configPath, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(d.fixture.clone, '.git', 'info', 'exclude'), 'utf8')).toMatch(/^\/cache\/$/m);
    expect(gitSucceeds(d.fixture.clone, 'diff', '--quiet')).toBe(true);
    expect(git(d.fixture.clone, 'status', '--porcelain')).toBe('');
  });
});
