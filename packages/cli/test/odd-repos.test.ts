import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { commitFiles, fixtureGitEnv, git, gitSucceeds, makeTempDir, snapshotRepo, unexpectedChanges } from '@rebase-daily/core/testing';
import { binPath, cli, day, type Day } from './helpers.js';

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
    ['.git', '.git', /which is inside the repo's git directory/],
    ['inside .git (".git/scratch")', '.git/scratch', /which is inside the repo's git directory/],
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

/** `git rebase -i <onto>` in `cwd` with the first pick turned into `edit`: stopped, as a user leaves it. */
function stopInteractiveRebase(cwd: string, onto: string): void {
  execFileSync('git', ['rebase', '-i', onto], { cwd, env: { ...process.env, ...fixtureGitEnv, GIT_SEQUENCE_EDITOR: 'sed -i 1s/^pick/edit/' }, stdio: 'ignore' });
  expect(readFileSync(join(git(cwd, 'rev-parse', '--absolute-git-dir'), 'rebase-merge', 'head-name'), 'utf8')).toMatch(/^refs\/heads\//);
}

describe('an interactive rebase stopped in a linked worktree', () => {
  it.each([
    ['of the trunk', (dd: Day) => dd.fixture.trunk, {}],
    ['of the mirror', (dd: Day) => dd.fixture.mirror, {}],
    ['of a Graphite descendant (a branch built on the trunk)', (dd: Day) => (git(dd.fixture.clone, 'branch', 'feat', dd.fixture.trunk), 'feat'), { graphite: {} }],
  ])('%s: exit 1 E_OPERATION_IN_PROGRESS naming the branch and the worktree; nothing moves; the user\'s --continue still works', async (_what, branchOf, extra) => {
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] }, extra);
    const c = d.fixture.clone;
    const branch = branchOf(d);
    git(c, 'checkout', '-q', '--detach');
    const wt = join(d.fixture.root, 'linked');
    git(c, 'worktree', 'add', '-q', wt, branch);
    if (branch === d.fixture.mirror) commitFiles(wt, { 'MIRROR.md': 'm\n' }, 'mirror: local edit');
    else commitFiles(wt, { 'FEAT.md': 'f\n' }, `${branch}: one more`);
    stopInteractiveRebase(wt, 'HEAD~1');
    const before = snap(d);
    const tips = git(c, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/');
    for (const command of ['daily', 'verify']) {
      const r = await cli([command, '--config', d.configPath]);
      expect(r.code, r.stderr).toBe(1);
      expect(firstLine(r.stderr)).toBe(
        `rebase-daily: E_OPERATION_IN_PROGRESS: a rebase of ${branch}, a branch this run moves, is in progress in ${wt} and rebase-daily did not start it, so it leaves it alone; finish it (\`git -C ${wt} rebase --continue\`) or abort it (\`git -C ${wt} rebase --abort\`), then rerun`,
      );
    }
    expect(unexpectedChanges(before, snap(d))).toEqual([]);
    expect(git(c, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/')).toBe(tips);
    const doc = await cli(['doctor', '--config', d.configPath, '--json']);
    expect(check(doc.json, 'repo')).toMatchObject({ status: 'fail', fix: `finish it (\`git -C ${wt} rebase --continue\`) or abort it (\`git -C ${wt} rebase --abort\`)` });
    expect(gitSucceeds(wt, 'rebase', '--continue')).toBe(true);
  });

  it('of an unrelated topic branch: not the run\'s business, the run goes ahead', async () => {
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] });
    const wt = join(d.fixture.root, 'linked');
    git(d.fixture.clone, 'worktree', 'add', '-q', '-b', 'topic', wt, d.fixture.mirror);
    commitFiles(wt, { 'TOPIC.md': 't\n' }, 'topic: one');
    stopInteractiveRebase(wt, 'HEAD~1');
    const r = await cli(['verify', '--config', d.configPath]);
    expect(r.code, r.stderr).toBe(0);
    expect(gitSucceeds(wt, 'rebase', '--continue')).toBe(true);
  });
});

describe('the true words', () => {
  it('a lock held by another host whose meta lacks fields never prints "undefined": exit 15', async () => {
    d = day();
    const lockDir = join(d.fixture.clone, '.scratch', 'locks', 'rebase-daily.lock');
    mkdirSync(lockDir, { recursive: true });
    writeFileSync(join(lockDir, 'meta.json'), JSON.stringify({ runId: 'crashed', pid: 999999, hostname: 'other-host', startedAt: new Date().toISOString() }));
    const tips = git(d.fixture.clone, 'for-each-ref', '--format=%(refname) %(objectname)');
    const r = await cli(['daily', '--config', d.configPath]);
    expect(r.code, r.stderr).toBe(15);
    expect(firstLine(r.stderr)).toMatch(/lock held by run crashed \(pid 999999 on other-host\) since \S+; it runs on another host \(other-host\)/);
    expect(r.stderr).not.toMatch(/undefined/);
    expect(git(d.fixture.clone, 'for-each-ref', '--format=%(refname) %(objectname)')).toBe(tips);
  });

  it('the dirty-tree message names the worktree that is dirty (a linked worktree holding the trunk)', async () => {
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] });
    const c = d.fixture.clone;
    git(c, 'checkout', '-q', d.fixture.mirror);
    const wt = join(d.fixture.root, 'trunk-wt');
    git(c, 'worktree', 'add', '-q', wt, d.fixture.trunk);
    writeFileSync(join(wt, 'notes.txt'), 'work in progress\n');
    const tips = git(c, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/');
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.json.errors[0]).toMatchObject({ code: 'E_DIRTY_TREE', message: `working tree ${wt} has uncommitted changes in notes.txt; commit or stash them, then rerun` });
    expect(git(c, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/')).toBe(tips);
    expect(git(d.fixture.originBare, 'rev-parse', d.fixture.trunk)).toBe(git(c, 'rev-parse', d.fixture.trunk));
    expect(readFileSync(join(wt, 'notes.txt'), 'utf8')).toBe('work in progress\n');
  });

  it('`resolve finish` with nothing started says "nothing to finish" (not "validation is not configured")', async () => {
    d = day();
    const before = snap(d);
    const r = await cli(['resolve', 'finish', '--config', d.configPath]);
    expect(r.code, r.stderr).toBe(17); // not ready: E_RESOLVE_NONE exits 17 (fix what it names, rerun)
    expect(firstLine(r.stderr)).toBe(`rebase-daily: E_RESOLVE_NONE: no conflict resolution is in progress, so there is nothing to finish; start one with \`rebase-daily resolve start --config ${d.configPath}\``);
    expect(unexpectedChanges(before, snap(d), [/^files [+~] \.scratch\//, /^files [+~] \.git\/info\/(exclude)?$/, /^status [+-] \?\? \.scratch\//])).toEqual([]);
  });

  it('`resolve start` on a clean day is refused without taking the lock (a manual hold does not change the answer)', async () => {
    d = day();
    const held = await cli(['lock', '--config', d.configPath, '--reason', 'holding', '--json']);
    expect(held.code, held.stderr).toBe(0);
    const meta = readFileSync(join(d.fixture.clone, '.scratch', 'locks', 'rebase-daily.lock', 'meta.json'), 'utf8');
    const tips = git(d.fixture.clone, 'for-each-ref', '--format=%(refname) %(objectname)');
    const r = await cli(['resolve', 'start', '--config', d.configPath]);
    expect(r.code, r.stderr).toBe(1);
    expect(firstLine(r.stderr)).toMatch(new RegExp(`^rebase-daily: E_RESOLVE_NOTHING: ${d.fixture.trunk} already contains upstream [0-9a-f]{12}; there is nothing to resolve`));
    expect(readFileSync(join(d.fixture.clone, '.scratch', 'locks', 'rebase-daily.lock', 'meta.json'), 'utf8')).toBe(meta);
    expect(git(d.fixture.clone, 'for-each-ref', '--format=%(refname) %(objectname)')).toBe(tips);
  });

  it('a closed output pipe (`daily 2>&1 | head -1`) does not stop the run: it finishes, publishes, writes its report, releases the lock', async () => {
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] });
    const out = execFileSync('bash', ['-c', `${process.execPath} ${binPath} daily --config ${d.configPath} 2>&1 | head -1; echo "rc=\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    const [first, rc] = out.trim().split('\n');
    expect(first).toMatch(/^rebase-daily: /);
    expect(rc).toBe('rc=0');
    expect(d.report()).toMatchObject({ exitCode: 0 });
    expect(existsSync(join(d.fixture.clone, '.scratch', 'locks', 'rebase-daily.lock'))).toBe(false);
    expect(git(d.fixture.originBare, 'rev-parse', d.fixture.trunk)).toBe(git(d.fixture.clone, 'rev-parse', d.fixture.trunk));
  });
});
