import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '@rebase-daily/core/testing';
import { initGraphiteStack } from '@rebase-daily/graphite/testing';
import { binPath, cli, day, type Day } from './helpers.js';

// Publish only what passed: apply, align and validate work on local refs; publish moves every ref
// on the fork remote in one atomic, leased push. Real repos, bare remotes by path, real gt.
let d: Day | undefined;
afterEach(() => d?.fixture.cleanup());

const upstreamEdits = [{ files: { 'UPSTREAM.md': 'new upstream file\n' }, message: 'upstream: add file' }];
const failingTests = { validate: { cwd: '.', format: false, test: ['sh', '-c', 'echo "test gate ... FAILED"; exit 1'] } };
/** Every ref of the fork remote, byte for byte. */
const remoteRefs = (x: Day) => git(x.fixture.originBare, 'for-each-ref', '--format=%(objectname) %(refname)');
const localRef = (x: Day, b: string) => git(x.fixture.clone, 'rev-parse', `refs/heads/${b}`);
const candidateRefs = (x: Day) => git(x.fixture.clone, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/rebase-daily/candidates/');
const pushes = (x: Day, runId: string) =>
  readFileSync(join(x.fixture.clone, '.scratch', 'rebase-daily', 'runs', runId, 'commands.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { event?: string; argv: string[] })
    // Each command has a `start` line (written before it runs) and its result line: count results.
    .filter((e) => e.event !== 'start')
    .map((e) => e.argv)
    .filter((a) => a[0] === 'git' && a[1] === 'push');
const stage = (report: any, name: string) => report.stages.find((s: any) => s.name === name);

/** A fork with a Graphite stack `feat` on the trunk, already published on the fork remote. */
function dayWithStack(extra: Record<string, unknown> = {}): Day {
  const x = day({ upstreamCommits: upstreamEdits }, { graphite: {}, ...extra });
  initGraphiteStack(x.fixture.clone, x.fixture.trunk, [{ name: 'feat', parent: x.fixture.trunk, files: { 'FEAT.md': 'feature\n' } }]);
  git(x.fixture.clone, 'push', '-q', 'origin', 'feat');
  git(x.fixture.clone, 'fetch', '-q', 'origin');
  return x;
}

describe('publish after validate (default)', () => {
  it('a good day moves trunk, mirror and the restacked descendant in one atomic push, each with its start-of-run lease', async () => {
    d = dayWithStack();
    const start = { trunk: localRef(d, d.fixture.trunk), mirror: localRef(d, d.fixture.mirror), feat: localRef(d, 'feat') };
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = d.report();
    expect(report.stages.map((s: any) => [s.name, s.status])).toEqual([
      ['verify', 'ok'],
      ['apply', 'ok'],
      ['align', 'ok'],
      ['validate', 'not-configured'],
      ['publish', 'ok'],
      ['report', 'ok'],
    ]);
    const after = { trunk: localRef(d, d.fixture.trunk), mirror: localRef(d, d.fixture.mirror), feat: localRef(d, 'feat') };
    expect(after.trunk).not.toBe(start.trunk);
    expect(after.feat).not.toBe(start.feat);
    const [push, ...more] = pushes(d, report.runId);
    expect(more).toEqual([]);
    expect(push).toEqual([
      'git',
      'push',
      '--porcelain',
      '--atomic',
      `--force-with-lease=refs/heads/${d.fixture.mirror}:${start.mirror}`,
      `--force-with-lease=refs/heads/${d.fixture.trunk}:${start.trunk}`,
      `--force-with-lease=refs/heads/feat:${start.feat}`,
      'origin',
      `${after.mirror}:refs/heads/${d.fixture.mirror}`,
      `${after.trunk}:refs/heads/${d.fixture.trunk}`,
      `${after.feat}:refs/heads/feat`,
    ]);
    for (const b of [d.fixture.trunk, d.fixture.mirror, 'feat']) expect(git(d.fixture.originBare, 'rev-parse', `refs/heads/${b}`)).toBe(localRef(d, b));
    expect(stage(report, 'publish').data).toMatchObject({ mode: 'atomic', refs: [{ moved: true }, { moved: true }, { branch: 'feat', expected: start.feat, moved: true }] });
    expect(candidateRefs(d)).toBe('');
  }, 120_000);

  it('failing tests: exit 14, the fork remote byte-identical, local trunk, mirror and descendant back at their start, candidates kept and listed', async () => {
    d = dayWithStack(failingTests);
    const remoteBefore = remoteRefs(d);
    const start = { trunk: localRef(d, d.fixture.trunk), mirror: localRef(d, d.fixture.mirror), feat: localRef(d, 'feat') };
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.code, r.stderr).toBe(14);
    expect(remoteRefs(d)).toBe(remoteBefore);
    expect({ trunk: localRef(d, d.fixture.trunk), mirror: localRef(d, d.fixture.mirror), feat: localRef(d, 'feat') }).toEqual(start);
    const report = d.report();
    expect(pushes(d, report.runId)).toEqual([]);
    const kept = candidateRefs(d).split('\n');
    expect(kept.map((l) => l.split(' ')[0]).sort()).toEqual(
      [d.fixture.mirror, d.fixture.trunk, 'feat'].map((b) => `refs/rebase-daily/candidates/${report.runId}/${b}`).sort(),
    );
    const keptTrunk = kept.find((l) => l.includes(`/${d!.fixture.trunk} `))!.split(' ')[1];
    expect(git(d.fixture.clone, 'rev-parse', `${keptTrunk}~1`)).toBe(git(d.fixture.clone, 'rev-parse', `upstream/${d.fixture.upstreamBranch}`));
    expect(stage(report, 'publish').status).toBe('skipped');
    expect(stage(report, 'publish').data.undone.map((c: any) => c.branch).sort()).toEqual([d.fixture.mirror, d.fixture.trunk, 'feat'].sort());
    const next = report.nextActions.join('\n');
    expect(next).toContain(`git log --oneline ${start.trunk}..refs/rebase-daily/candidates/${report.runId}/${d.fixture.trunk}`);
    expect(next).toContain(`git worktree add --detach ../candidate-${report.runId} refs/rebase-daily/candidates/${report.runId}/${d.fixture.trunk}`);
    expect(d.clean()).toBe(true);
    // Graphite agrees the descendant is back on the old trunk: nothing needs a restack.
    expect(git(d.fixture.clone, 'merge-base', '--is-ancestor', start.trunk, 'feat')).toBe('');
  }, 120_000);

  it('a lease refused on one ref (the trunk moved on the fork), the mirror fine: nothing moves on the remote, exit 12 with expected and actual of each ref', async () => {
    d = day({ upstreamCommits: upstreamEdits });
    const start = { trunk: localRef(d, d.fixture.trunk), mirror: localRef(d, d.fixture.mirror) };
    // Someone pushes to the fork trunk while the run is between its fetch and its publish.
    const other = d.fixture.otherClone('racer');
    git(other, 'checkout', '-q', '-B', d.fixture.trunk, `origin/${d.fixture.trunk}`);
    const hook = join(d.fixture.clone, '.git', 'hooks', 'reference-transaction');
    writeFileSync(
      hook,
      `#!/bin/sh\n[ "$1" = committed ] || exit 0\ngrep -q " refs/heads/${d.fixture.trunk}$" || exit 0\n[ -f '${other}/raced' ] && exit 0\nunset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\ncd '${other}' && touch raced && echo r > RACE.md && git add RACE.md && git commit -q -m race && git push -q origin HEAD:refs/heads/${d.fixture.trunk}\nexit 0\n`,
    );
    chmodSync(hook, 0o755);
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.code, r.stderr).toBe(12);
    const raced = git(other, 'rev-parse', 'HEAD');
    expect(git(d.fixture.originBare, 'rev-parse', `refs/heads/${d.fixture.trunk}`)).toBe(raced);
    expect(git(d.fixture.originBare, 'rev-parse', `refs/heads/${d.fixture.mirror}`)).toBe(start.mirror);
    const report = d.report();
    expect(report.outcome).toBe('push-blocked');
    expect(stage(report, 'publish').data.refs).toEqual([
      expect.objectContaining({ branch: d.fixture.mirror, expected: start.mirror, actual: start.mirror, moved: false }),
      expect.objectContaining({ branch: d.fixture.trunk, expected: start.trunk, actual: raced, moved: false }),
    ]);
    expect(stage(report, 'publish').summary).toContain('nothing moved on the fork remote');
    expect(localRef(d, d.fixture.trunk)).toBe(start.trunk);
    expect(localRef(d, d.fixture.mirror)).toBe(start.mirror);
    expect(candidateRefs(d)).toContain(`refs/rebase-daily/candidates/${report.runId}/${d.fixture.trunk}`);
  }, 120_000);

  it('a remote without atomic pushes: exit 12 saying so, nothing pushed; with publish.atomic false the refs go one by one and the report says which moved', async () => {
    d = day({ upstreamCommits: upstreamEdits });
    git(d.fixture.originBare, 'config', 'receive.advertiseAtomic', 'false');
    const remoteBefore = remoteRefs(d);
    const refused = await cli(['daily', '--config', d.configPath, '--json']);
    expect(refused.code, refused.stderr).toBe(12);
    expect(refused.json.errors.map((e: any) => e.code)).toContain('E_ATOMIC_UNSUPPORTED');
    expect(stage(d.report(), 'publish').data.atomicUnsupported).toBe(true);
    expect(remoteRefs(d)).toBe(remoteBefore);

    const config = JSON.parse(readFileSync(d.configPath, 'utf8'));
    writeFileSync(d.configPath, JSON.stringify({ ...config, publish: { atomic: false } }));
    const ordered = await cli(['daily', '--config', d.configPath, '--json']);
    expect(ordered.code, ordered.stderr).toBe(0);
    const report = d.report();
    expect(stage(report, 'publish').data).toMatchObject({ mode: 'ordered', refs: [{ branch: d.fixture.mirror, moved: true }, { branch: d.fixture.trunk, moved: true }] });
    expect(pushes(d, report.runId).map((a) => a.at(-1))).toEqual([`${localRef(d, d.fixture.mirror)}:refs/heads/${d.fixture.mirror}`, `${localRef(d, d.fixture.trunk)}:refs/heads/${d.fixture.trunk}`]);
    expect(git(d.fixture.originBare, 'rev-parse', `refs/heads/${d.fixture.trunk}`)).toBe(localRef(d, d.fixture.trunk));
  }, 120_000);

  it('push.enabled false: nothing pushed, publish reports what it would have pushed, the local result stays', async () => {
    d = day({ upstreamCommits: upstreamEdits }, { push: { enabled: false } });
    const remoteBefore = remoteRefs(d);
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(remoteRefs(d)).toBe(remoteBefore);
    const publish = stage(d.report(), 'publish');
    expect(publish.summary).toMatch(/^push.enabled is false: nothing pushed; would have pushed/);
    expect(publish.data.wouldPush.map((p: any) => p.branch)).toEqual([d.fixture.mirror, d.fixture.trunk]);
    expect(localRef(d, d.fixture.mirror)).toBe(git(d.fixture.clone, 'rev-parse', `upstream/${d.fixture.upstreamBranch}`));
  }, 120_000);
});

describe('publish.when "after-apply" (the plan\'s original order)', () => {
  it('failing tests: exit 14 with the rebased trunk and mirror already on the fork remote, as before', async () => {
    d = day({ upstreamCommits: upstreamEdits }, { ...failingTests, publish: { when: 'after-apply' } });
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.code, r.stderr).toBe(14);
    const trunk = localRef(d, d.fixture.trunk);
    expect(git(d.fixture.clone, 'rev-parse', `${trunk}~1`)).toBe(git(d.fixture.clone, 'rev-parse', `upstream/${d.fixture.upstreamBranch}`));
    expect(git(d.fixture.originBare, 'rev-parse', `refs/heads/${d.fixture.trunk}`)).toBe(trunk);
    expect(git(d.fixture.originBare, 'rev-parse', `refs/heads/${d.fixture.mirror}`)).toBe(localRef(d, d.fixture.mirror));
    const report = d.report();
    expect(pushes(d, report.runId)).toHaveLength(1);
    expect(stage(report, 'apply').data.publish).toMatchObject({ mode: 'atomic', when: 'after-apply' });
    expect(candidateRefs(d)).toBe('');
  }, 120_000);
});

describe('a crash between apply and publish', () => {
  it('is recovered by the next run: the local trunk the crashed run made goes back (candidate kept); a trunk the tool did not make is never moved', async () => {
    d = day({ upstreamCommits: upstreamEdits });
    const start = { trunk: localRef(d, d.fixture.trunk), mirror: localRef(d, d.fixture.mirror) };
    const remoteBefore = remoteRefs(d);
    // The publish push is where the run dies: a pre-push hook kills the CLI (SIGKILL, no cleanup).
    const hook = join(d.fixture.clone, '.git', 'hooks', 'pre-push');
    const lockMeta = join(d.fixture.clone, '.scratch', 'locks', 'rebase-daily.lock', 'meta.json');
    writeFileSync(hook, `#!/bin/sh\npid=$(sed -n 's/.*"pid": *\\([0-9]*\\).*/\\1/p' '${lockMeta}' | head -1)\nkill -9 "$pid"\nexit 1\n`);
    chmodSync(hook, 0o755);
    const crashed = spawnSync(process.execPath, [binPath, 'daily', '--config', d.configPath], { encoding: 'utf8', timeout: 120_000 });
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    writeFileSync(hook, '#!/bin/sh\nexit 0\n');
    expect(remoteRefs(d)).toBe(remoteBefore);
    const candidate = localRef(d, d.fixture.trunk);
    expect(candidate).not.toBe(start.trunk);
    const runs = readdirSync(join(d.fixture.clone, '.scratch', 'rebase-daily', 'runs'));
    const crashedId = runs[0];
    // The dead run's lock is not this helper's subject (another change takes it over): lift it.
    spawnSync('rm', ['-rf', join(d.fixture.clone, '.scratch', 'locks', 'rebase-daily.lock')]);

    const next = await cli(['verify', '--config', d.configPath, '--json']);
    expect(next.code, next.stderr).toBe(0);
    expect(localRef(d, d.fixture.trunk)).toBe(start.trunk);
    expect(localRef(d, d.fixture.mirror)).toBe(start.mirror);
    expect(candidateRefs(d)).toContain(`refs/rebase-daily/candidates/${crashedId}/${d.fixture.trunk} ${candidate}`);
    expect(d.report().leftovers.join('\n')).toContain(`${d.fixture.trunk} moved back`);
    expect(remoteRefs(d)).toBe(remoteBefore);
    expect(d.clean()).toBe(true);

    // The next full day finishes the job: the fork remote gets a trunk that passed.
    const day2 = await cli(['daily', '--config', d.configPath, '--json']);
    expect(day2.code, day2.stderr).toBe(0);
    expect(git(d.fixture.originBare, 'rev-parse', `refs/heads/${d.fixture.trunk}`)).toBe(localRef(d, d.fixture.trunk));
  }, 180_000);

  it('a trunk someone moved after the crash is not the tool\'s: left exactly where it is', async () => {
    d = day({ upstreamCommits: upstreamEdits });
    const start = { mirror: localRef(d, d.fixture.mirror) };
    const hook = join(d.fixture.clone, '.git', 'hooks', 'pre-push');
    const lockMeta = join(d.fixture.clone, '.scratch', 'locks', 'rebase-daily.lock', 'meta.json');
    writeFileSync(hook, `#!/bin/sh\npid=$(sed -n 's/.*"pid": *\\([0-9]*\\).*/\\1/p' '${lockMeta}' | head -1)\nkill -9 "$pid"\nexit 1\n`);
    chmodSync(hook, 0o755);
    spawnSync(process.execPath, [binPath, 'daily', '--config', d.configPath], { encoding: 'utf8', timeout: 120_000 });
    writeFileSync(hook, '#!/bin/sh\nexit 0\n');
    spawnSync('rm', ['-rf', join(d.fixture.clone, '.scratch', 'locks', 'rebase-daily.lock')]);
    git(d.fixture.clone, 'commit', '-q', '--allow-empty', '-m', 'human: on top of the candidate');
    const mine = localRef(d, d.fixture.trunk);
    const next = await cli(['verify', '--config', d.configPath, '--json']);
    expect(next.code, next.stderr).toBe(0);
    expect(localRef(d, d.fixture.trunk)).toBe(mine);
    // The mirror the crashed run fast-forwarded is still its candidate: that one goes back.
    expect(candidateRefs(d).split('\n').map((l) => l.split(' ')[0].split('/').slice(4).join('/'))).toEqual([d.fixture.mirror]);
    expect(localRef(d, d.fixture.mirror)).toBe(start.mirror);
    expect(existsSync(join(d.fixture.clone, '.scratch'))).toBe(true);
  }, 180_000);
});
