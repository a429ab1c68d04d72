import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '@rebase-daily/core/testing';
import { cli, day, spawnCli, type Day } from './helpers.js';

// `resolve` killed (SIGKILL) at the moments a crash used to lose a patch or leave a half state, then
// recovered with the one command `resolve status` recommends. Real repositories with bare remotes;
// a git hook holds git at the exact moment (a file `block` keeps it waiting, `mark` says it is there).
let d: Day | undefined;
afterEach(() => d?.fixture.cleanup());

const LIB = 'src/lib.txt';
const base = { 'README.md': 'upstream project\n', [LIB]: 'line 1\nline 2\nline 3\n' };
const noValidate = ['--no-validate', '--reason', 'demo fork has no test suite'];

/** Patch 1 conflicts with upstream (line 2), patch 2 adds a file. */
function oneConflict(): Day {
  return day({
    base,
    patches: [
      { files: { [LIB]: 'line 1\nline 2 fork\nline 3\n' }, message: 'fork: change line 2' },
      { files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes' },
    ],
    upstreamCommits: [{ files: { [LIB]: 'line 1\nline 2 upstream\nline 3\n' }, message: 'upstream: change line 2' }],
  });
}

const rd = (dd: Day, ...args: string[]) => cli([...args, '--config', dd.configPath, '--json']);
const resolveLib = (wt: string) => {
  writeFileSync(join(wt, LIB), 'line 1\nline 2 upstream, fork\nline 3\n');
  git(wt, 'add', '--', LIB);
};
/** A conflict day resolved and replayed: the next step is `resolve finish`. */
async function readyToFinish(): Promise<Day> {
  const dd = oneConflict();
  expect((await rd(dd, 'daily')).code).toBe(10);
  const start = await rd(dd, 'resolve', 'start');
  resolveLib(start.json.data.worktree);
  expect((await rd(dd, 'resolve', 'continue')).code).toBe(0);
  return dd;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Install `hook` (body runs when `cond` holds and `block` exists), run the CLI, SIGKILL it once the hook is reached. */
async function killAt(dd: Day, hookName: string, cond: string, args: string[], gitDir = join(dd.fixture.clone, '.git')): Promise<void> {
  const mark = join(dd.fixture.root, 'mark');
  const block = join(dd.fixture.root, 'block');
  const hook = join(gitDir, 'hooks', hookName);
  writeFileSync(hook, `#!/bin/sh\nif ${cond} && [ -e '${block}' ]; then touch '${mark}'; while [ -e '${block}' ]; do sleep 0.1; done; fi\nexit 0\n`);
  chmodSync(hook, 0o755);
  writeFileSync(block, '');
  const { child, done } = spawnCli([...args, '--config', dd.configPath]);
  for (let i = 0; i < 1200 && !existsSync(mark); i++) await sleep(100);
  expect(existsSync(mark), `the ${hookName} hook was never reached`).toBe(true);
  child.kill('SIGKILL');
  await done;
  rmSync(block);
  await sleep(300);
  rmSync(mark, { force: true });
  rmSync(hook);
}

const subjects = (repo: string, range: string) => git(repo, 'log', '--reverse', '--format=%s', range).split('\n').filter(Boolean);

describe('resolve, crash-safe', () => {
  it('killed between the update-ref of the trunk and the read-tree of its checked-out worktree: finish completes it, clean; abort after the same kill puts both back, clean', async () => {
    for (const recover of ['abort', 'finish'] as const) {
      d = await readyToFinish();
      const f = d.fixture;
      const before = d.refs();
      // reference-transaction "committed": the trunk ref is written, moveBranch's read-tree not yet run.
      await killAt(d, 'reference-transaction', `[ "$1" = committed ] && grep -q ' refs/heads/${f.trunk}$'`, ['resolve', 'finish', ...noValidate]);
      expect(d.refs().trunk).not.toBe(before.trunk);
      expect(git(f.clone, 'status', '--porcelain')).not.toBe(''); // the half state: the worktree did not follow
      const status = await rd(d, 'resolve', 'status');
      expect(status.code).toBe(0);
      const r = await rd(d, 'resolve', recover, ...(recover === 'finish' ? noValidate : []));
      expect(r.code, JSON.stringify(r.json.errors)).toBe(0);
      expect(d.clean()).toBe(true);
      const after = d.refs();
      if (recover === 'abort') {
        expect(after).toEqual(before);
      } else {
        expect(after.originTrunk).toBe(after.trunk);
        expect(subjects(f.clone, `${before.upstream}..${f.trunk}`)).toEqual(['fork: change line 2', 'fork: add notes']);
      }
      f.cleanup();
      d = undefined;
    }
  });

  it('killed inside `git rebase -i` just after it moved to patch 2: continue picks patch 2 again, never skips it; finish publishes both', async () => {
    d = oneConflict();
    const f = d.fixture;
    expect((await rd(d, 'daily')).code).toBe(10);
    const start = await rd(d, 'resolve', 'start');
    const wt = start.json.data.worktree as string;
    resolveLib(wt);
    // prepare-commit-msg of patch 2's pick: the sequencer has already moved `pick <patch 2>` to done.
    // (Its first line only: the template's comments list the todo, patch 2 included, from patch 1 on.)
    await killAt(d, 'prepare-commit-msg', `head -1 "$1" | grep -q 'fork: add notes'`, ['resolve', 'continue']);
    const status = await rd(d, 'resolve', 'status');
    expect(status.code).toBe(0);
    expect(status.json.data.next.join('\n')).toMatch(/resolve continue/);
    const cont = await rd(d, 'resolve', 'continue');
    expect(cont.code, JSON.stringify(cont.json.errors)).toBe(0);
    expect(cont.json.data).toMatchObject({ phase: 'replayed', rebaseInProgress: false });
    expect(cont.json.data.warnings.join('\n')).toMatch(/moved to patch 2\/2 .*picked again, not skipped/);
    const fin = await rd(d, 'resolve', 'finish', ...noValidate);
    expect(fin.code, JSON.stringify(fin.json.errors)).toBe(0);
    const after = d.refs();
    expect(after.originTrunk).toBe(after.trunk);
    expect(subjects(f.originBare, `${after.upstream}..${after.originTrunk}`)).toEqual(['fork: change line 2', 'fork: add notes']);
    expect(d.clean()).toBe(true);
  });

  it('killed after the worktree was added, before the rebase began: status says the replay has not begun; finish refuses (it starts the replay, which stops at the conflict); continue then resolves as usual', async () => {
    d = oneConflict();
    const f = d.fixture;
    expect((await rd(d, 'daily')).code).toBe(10);
    const before = d.refs();
    // post-checkout runs as `git worktree add` finishes its checkout.
    await killAt(d, 'post-checkout', 'true', ['resolve', 'start']);
    const status = await rd(d, 'resolve', 'status');
    expect(status.code).toBe(0);
    expect(status.json.data).toMatchObject({ phase: 'starting', worktreeExists: true, rebaseInProgress: false });
    expect(status.json.data.warnings.join('\n')).toMatch(/the replay has not begun/);
    expect(status.json.data.next[0]).toMatch(/resolve continue .*starts the replay/);
    const fin = await rd(d, 'resolve', 'finish', ...noValidate);
    expect(fin.json.errors[0].code).toBe('E_RESOLVE_NOT_REPLAYED');
    expect(d.refs()).toEqual(before);
    const stopped = await rd(d, 'resolve', 'status');
    expect(stopped.json.data).toMatchObject({ phase: 'conflict', position: 1, rebaseInProgress: true });
    resolveLib(stopped.json.data.worktree);
    expect((await rd(d, 'resolve', 'continue')).code).toBe(0);
    const done = await rd(d, 'resolve', 'finish', ...noValidate);
    expect(done.code, JSON.stringify(done.json.errors)).toBe(0);
    expect(subjects(f.originBare, `${before.upstream}..${d.refs().originTrunk}`)).toEqual(['fork: change line 2', 'fork: add notes']);
  });

  it('two `resolve finish` started together, 10 pairs: exactly one acts, the other exits 15 (E_LOCK_TAKEN) and changes nothing', async () => {
    const pairs = Number(process.env.RESOLVE_FINISH_PAIRS ?? 10);
    const tally = { oneActed: 0 };
    for (let i = 0; i < pairs; i++) {
      d = await readyToFinish();
      const f = d.fixture;
      const a = spawnCli(['resolve', 'finish', '--config', d.configPath, '--json', ...noValidate]);
      const b = spawnCli(['resolve', 'finish', '--config', d.configPath, '--json', ...noValidate]);
      const results = await Promise.all([a.done, b.done]);
      const codes = results.map((r) => r.code).sort();
      expect(codes, results.map((r) => r.stdout).join('\n')).toEqual([0, 15]);
      const refused = JSON.parse(results.find((r) => r.code === 15)!.stdout);
      expect(refused.errors[0].code).toBe('E_LOCK_TAKEN');
      // The one that acted published; the local trunk is the published one; nothing half done.
      const after = d.refs();
      expect(after.originTrunk).toBe(after.trunk);
      expect(subjects(f.originBare, `${after.upstream}..${after.originTrunk}`)).toEqual(['fork: change line 2', 'fork: add notes']);
      expect(d.clean()).toBe(true);
      expect((await rd(d, 'resolve', 'status')).json.data).toBeNull();
      tally.oneActed++;
      f.cleanup();
      d = undefined;
    }
    expect(tally.oneActed).toBe(pairs);
  }, 600_000);
});
