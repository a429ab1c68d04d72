import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createForkFixture, git, type ForkFixture, type ForkFixtureOptions } from '@rebase-daily/core/testing';
import { applyStage } from './apply-stage.js';
import { publishStage } from './publish-stage.js';
import { installRacingPrePushHook, lib, pushFromOtherClone, remoteSha } from '../testing/fork-scenarios.js';
import { makeStageContext, shasNow, type TestStageContext } from '../testing/stage-context.js';
import { verifyStage } from './verify-stage.js';

const fixtures: ForkFixture[] = [];
const fixture = (opts: Parameters<typeof createForkFixture>[0] = {}) => {
  const f = createForkFixture(opts);
  fixtures.push(f);
  return f;
};
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup();
});

const clean = (f: ForkFixture) => git(f.clone, 'status', '--porcelain', '--untracked-files=all');
/**
 * No rebase left anywhere in the clone: not in its own git dir, not in a linked worktree's (where
 * the worktree engine rebases), and no linked worktree or temporary branch left either. Checks the
 * directories themselves: `rev-parse --git-path rebase-merge` prints a path whether or not it exists.
 */
const noRebaseLeft = (f: ForkFixture) => {
  const gitDir = join(f.clone, '.git');
  const linked = existsSync(join(gitDir, 'worktrees')) ? readdirSync(join(gitDir, 'worktrees')) : [];
  return {
    rebaseDirs: [gitDir, ...linked.map((w) => join(gitDir, 'worktrees', w))].flatMap((d) => ['rebase-merge', 'rebase-apply'].map((r) => join(d, r))).filter((d) => existsSync(d)),
    linkedWorktrees: linked,
    worktreeList: git(f.clone, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')),
    tempBranches: git(f.clone, 'for-each-ref', '--format=%(refname)', 'refs/heads/rebase-daily/'),
  };
};
const nothingLeft = (f: ForkFixture) => ({ rebaseDirs: [], linkedWorktrees: [], worktreeList: [`worktree ${f.clone}`], tempBranches: '' });
const onUpstream = { upstreamCommits: [{ files: { 'NEW.md': 'new upstream file\n' }, message: 'upstream: new file' }] };
const conflicting: ForkFixtureOptions = {
  patches: [
    { files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes' },
    { files: { 'src/lib.txt': lib('fork line 2') }, message: 'fork: change line 2' },
  ],
  upstreamCommits: [{ files: { 'src/lib.txt': lib('upstream line 2') }, message: 'upstream: change line 2' }],
};

/** apply, then publish (what the pipeline does once validation passed). */
async function applied(ctx: TestStageContext) {
  const r = await applyStage(ctx);
  if (r.status === 'ok') {
    const p = await publishStage(ctx);
    expect(p.status, p.summary).toBe('ok');
  }
  return r;
}

async function verified(ctx: TestStageContext) {
  const v = await verifyStage(ctx);
  expect(v.pin, v.summary).toBeDefined();
  ctx.setPin(v.pin!);
  return v;
}

describe('applyStage', () => {
  it('refuses without a verify pin', async () => {
    const f = fixture();
    const r = await applyStage(makeStageContext(f));
    expect(r).toMatchObject({ status: 'failed', outcome: 'error', errors: [{ code: 'E_NOT_VERIFIED' }] });
  });

  it('no-op day: nothing to rebase, nothing pushed, outcome no-change', async () => {
    const f = fixture();
    const ctx = makeStageContext(f);
    await verified(ctx);
    const before = shasNow(f);
    const r = await applyStage(ctx);
    expect(r.status, r.summary).toBe('ok');
    expect(r.outcome).toBe('no-change');
    expect(r.data?.pushes).toEqual([]);
    expect(shasNow(f)).toEqual(before);
    expect(r.shasAfter).toMatchObject({ trunk: before.trunk, forkTrunk: before.forkTrunk, upstream: before.upstream });
    expect(clean(f)).toBe('');
  });

  it('clean rebase day: trunk rebased onto the pinned upstream and mirror fast-forwarded locally; publish pushes both in one atomic push with the start-of-run leases', async () => {
    const f = fixture(onUpstream);
    const ctx = makeStageContext(f);
    const v = await verified(ctx);
    const pin = v.pin!;
    const r = await applyStage(ctx);
    expect(remoteSha(f, f.trunk), 'apply pushes nothing').toBe(pin.forkTrunk);
    expect(remoteSha(f, f.mirror), 'apply pushes nothing').toBe(pin.forkMirror);
    expect(ctx.commandLog.entries.some((e) => e.argv[1] === 'push')).toBe(false);
    expect(ctx.state.candidates.map((c) => [c.role, c.status])).toEqual([
      ['mirror', 'moved'],
      ['trunk', 'moved'],
    ]);
    const p = await publishStage(ctx);
    expect(p.status, p.summary).toBe('ok');
    expect(r.status, r.summary).toBe('ok');
    expect(r.outcome).toBe('success');
    const trunk = git(f.clone, 'rev-parse', f.trunk);
    expect(git(f.clone, 'rev-parse', `${f.trunk}~1`)).toBe(pin.upstream);
    expect(git(f.clone, 'log', '-1', '--format=%s', f.trunk)).toBe('fork: add notes');
    expect(remoteSha(f, f.trunk)).toBe(trunk);
    expect(remoteSha(f, f.mirror)).toBe(pin.upstream);
    expect(git(f.clone, 'rev-parse', f.mirror)).toBe(pin.upstream);
    expect(r.shasAfter).toEqual({ upstream: pin.upstream, mirror: pin.upstream, trunk, forkTrunk: pin.forkTrunk, forkMirror: pin.forkMirror });
    const argvs = ctx.commandLog.entries.map((e) => e.argv.join(' '));
    expect(argvs.filter((a) => a.startsWith('git push'))).toEqual([
      `git push --porcelain --atomic --force-with-lease=refs/heads/${f.mirror}:${pin.forkMirror} --force-with-lease=refs/heads/${f.trunk}:${pin.forkTrunk} origin ${pin.upstream}:refs/heads/${f.mirror} ${trunk}:refs/heads/${f.trunk}`,
    ]);
    expect(ctx.state.candidates.map((c) => c.status)).toEqual(['published', 'published']);
    expect(argvs.some((a) => a.includes(' push ') && a.includes('upstream'))).toBe(false);
    expect(git(f.clone, 'symbolic-ref', '--short', 'HEAD')).toBe(f.trunk);
    expect(clean(f)).toBe('');
    expect(ctx.temporaries).toEqual([]);
  });

  it('rebases in a temporary worktree when the trunk is not checked out, leaving the starting branch alone', async () => {
    const f = fixture(onUpstream);
    git(f.clone, 'checkout', '-q', f.mirror);
    const ctx = makeStageContext(f);
    const pin = (await verified(ctx)).pin!;
    const r = await applied(ctx);
    expect(r.status, r.summary).toBe('ok');
    expect(git(f.clone, 'symbolic-ref', '--short', 'HEAD')).toBe(f.mirror);
    // The mirror is checked out here, so it was fast-forwarded with merge --ff-only in place.
    expect(git(f.clone, 'rev-parse', 'HEAD')).toBe(pin.upstream);
    expect(readFileSync(`${f.clone}/NEW.md`, 'utf8')).toBe('new upstream file\n');
    expect(git(f.clone, 'rev-parse', `${f.trunk}~1`)).toBe(pin.upstream);
    expect(remoteSha(f, f.trunk)).toBe(git(f.clone, 'rev-parse', f.trunk));
    expect(git(f.clone, 'worktree', 'list').split('\n')).toHaveLength(1);
    expect(clean(f)).toBe('');
  });

  it('apply conflict (apply run on its own): aborts, restores the trunk, leaves the repo clean', async () => {
    const f = fixture(conflicting);
    const ctx = makeStageContext(f);
    const before = shasNow(f);
    ctx.setPin({ ...before, upstream: before.upstream!, trunk: before.trunk!, forkMirror: before.forkMirror ?? null, verifiedAt: new Date().toISOString(), runId: ctx.state.runId, clean: true });
    const r = await applyStage(ctx);
    expect(r.status).toBe('failed');
    expect(r.outcome).toBe('apply-conflict');
    expect(r.conflict).toMatchObject({
      stage: 'apply',
      patch: { sha: git(f.clone, 'rev-parse', f.trunk), subject: 'fork: change line 2' },
      position: 2,
      queueLength: 2,
      files: ['src/lib.txt'],
    });
    expect(r.conflict!.reproduce.join('\n')).toContain(`git rebase --no-update-refs ${before.upstream}`);
    // The same bounded context as a verify conflict: both sides' hunks, the upstream commit with author, date, message.
    const upstreamCommit = git(f.clone, 'log', '-1', '--format=%H%x00%an <%ae>%x00%aI%x00%s', before.upstream!).split('\0');
    expect(r.conflict!.context).toMatchObject({
      hunks: [{ file: 'src/lib.txt', truncated: false }],
      upstreamCommits: [{ sha: upstreamCommit[0], author: upstreamCommit[1], date: upstreamCommit[2], subject: 'upstream: change line 2' }],
    });
    expect(r.conflict!.context!.hunks[0].patch).toContain('+fork line 2');
    expect(r.conflict!.context!.hunks[0].upstream).toContain('+upstream line 2');
    expect(git(f.clone, 'rev-parse', f.trunk)).toBe(before.trunk);
    expect(remoteSha(f, f.trunk)).toBe(before.forkTrunk);
    expect(git(f.clone, 'symbolic-ref', '--short', 'HEAD')).toBe(f.trunk);
    expect(clean(f)).toBe('');
    expect(noRebaseLeft(f)).toEqual(nothingLeft(f));
    expect(() => git(f.clone, 'rev-parse', '--verify', '--quiet', 'REBASE_HEAD')).toThrow();
  });

  it('refuses when the local trunk moved since verify', async () => {
    const f = fixture(onUpstream);
    const ctx = makeStageContext(f);
    await verified(ctx);
    git(f.clone, 'commit', '-q', '--allow-empty', '-m', 'late local commit');
    const r = await applyStage(ctx);
    expect(r).toMatchObject({ status: 'failed', outcome: 'error', errors: [{ code: 'E_MOVED_SINCE_VERIFY' }] });
    expect(remoteSha(f, f.mirror)).toBe(ctx.state.pin!.forkMirror);
  });

  it('lease failure: the fork trunk moves between our checks and our push (pre-push hook race) → push-blocked, nothing overwritten, the mirror did not move either (atomic)', async () => {
    const f = fixture(onUpstream);
    const ctx = makeStageContext(f);
    const pin = (await verified(ctx)).pin!;
    const shaFile = installRacingPrePushHook(f);
    expect((await applyStage(ctx)).status).toBe('ok');
    const r = await publishStage(ctx);
    const raced = readFileSync(shaFile, 'utf8').trim();
    expect(r.status).toBe('failed');
    expect(r.outcome).toBe('push-blocked');
    expect(r.lease).toMatchObject({ ref: `refs/heads/${f.trunk}`, remote: 'origin', expected: pin.forkTrunk, actual: raced });
    // Our own lease check passed (the remote advertised the old SHA); the remote's compare-and-swap
    // on the expected old value is what refused the update once the racer got in first.
    expect(r.lease!.reason).toMatch(/^remote-rejected: atomic transaction failed: .*but expected/);
    expect(r.errors?.[0].code).toBe('E_LEASE_BLOCKED');
    expect(remoteSha(f, f.trunk)).toBe(raced);
    expect(remoteSha(f, f.mirror)).toBe(pin.forkMirror);
    expect(r.data).toMatchObject({
      mode: 'atomic',
      refs: [
        { branch: f.mirror, expected: pin.forkMirror, actual: pin.forkMirror, moved: false },
        { branch: f.trunk, expected: pin.forkTrunk, actual: raced, moved: false },
      ],
    });
    // The local refs stay at the candidate until the run ends; then core's cleanup moves them back.
    expect(ctx.state.candidates.map((c) => c.status)).toEqual(['moved', 'moved']);
    expect(clean(f)).toBe('');
  });

  it('fork has trunk commits the local trunk lacks at the start → push-blocked before touching anything', async () => {
    const f = fixture(onUpstream);
    const theirs = pushFromOtherClone(f, f.trunk);
    const ctx = makeStageContext(f);
    const pin = (await verified(ctx)).pin!;
    expect(pin.forkTrunk).toBe(theirs);
    const before = shasNow(f);
    const r = await applyStage(ctx);
    expect(r.outcome).toBe('push-blocked');
    expect(r.lease).toMatchObject({ expected: theirs, actual: theirs });
    expect(r.lease!.reason).toContain('lacks');
    expect(r.data?.forkOnlyCommits).toEqual([{ sha: theirs, subject: 'someone else: OTHER.md' }]);
    expect(shasNow(f)).toEqual(before);
    expect(remoteSha(f, f.mirror)).toBe(before.forkMirror);
  });

  it('fork trunk moved since verify → push-blocked with expected and actual', async () => {
    const f = fixture(onUpstream);
    const ctx = makeStageContext(f);
    const pin = (await verified(ctx)).pin!;
    const theirs = pushFromOtherClone(f, f.trunk);
    const r = await applyStage(ctx);
    expect(r.outcome).toBe('push-blocked');
    expect(r.lease).toMatchObject({ ref: `refs/heads/${f.trunk}`, expected: pin.forkTrunk, actual: theirs });
    expect(git(f.clone, 'rev-parse', f.trunk)).toBe(pin.trunk);
    expect(git(f.clone, 'rev-parse', f.mirror)).toBe(pin.mirror);
  });

  it('mirror diverged on the fork → E_MIRROR_DIVERGED naming the commit, nothing touched', async () => {
    const f = fixture(onUpstream);
    const stray = pushFromOtherClone(f, f.mirror, 'STRAY.md');
    const ctx = makeStageContext(f);
    await verified(ctx);
    const before = shasNow(f);
    const r = await applyStage(ctx);
    expect(r).toMatchObject({ status: 'failed', outcome: 'error', errors: [{ code: 'E_MIRROR_DIVERGED' }] });
    expect(r.summary).toContain(stray.slice(0, 12));
    expect(shasNow(f)).toEqual(before);
  });

  it('push.enabled=false rebases locally and pushes nothing', async () => {
    const f = fixture(onUpstream);
    const ctx = makeStageContext(f, { push: { enabled: false } });
    const pin = (await verified(ctx)).pin!;
    const r = await applyStage(ctx);
    expect(r.status, r.summary).toBe('ok');
    expect(r.outcome).toBe('success');
    expect(git(f.clone, 'rev-parse', `${f.trunk}~1`)).toBe(pin.upstream);
    expect(remoteSha(f, f.trunk)).toBe(pin.forkTrunk);
    expect(remoteSha(f, f.mirror)).toBe(pin.forkMirror);
    expect((r.data?.actions as string[])[0]).toContain('push.enabled is false');
  });
});

describe('applyStage engines', () => {
  const argvsOf = (ctx: TestStageContext) => ctx.commandLog.entries.map((e) => e.argv.join(' '));

  it('memory engine (auto): replays in memory, moves the trunk by compare-and-swap, updates the checked-out worktree, pushes with the lease', async () => {
    const f = fixture(onUpstream);
    const ctx = makeStageContext(f);
    const pin = (await verified(ctx)).pin!;
    const r = await applied(ctx);
    expect(r.status, r.summary).toBe('ok');
    expect(r.data?.engine).toMatchObject({ used: 'memory', requested: 'auto' });
    const trunk = git(f.clone, 'rev-parse', f.trunk);
    expect(git(f.clone, 'rev-parse', `${f.trunk}~1`)).toBe(pin.upstream);
    expect(git(f.clone, 'log', '-1', '--format=%s%n%an <%ae>', f.trunk)).toBe(git(f.clone, 'log', '-1', '--format=%s%n%an <%ae>', pin.trunk));
    const argvs = argvsOf(ctx);
    expect(argvs).toContain(`git update-ref -m rebase-daily: replay ${f.trunk} onto upstream refs/heads/${f.trunk} ${trunk} ${pin.trunk}`);
    expect(argvs).toContain(`git read-tree -m -u ${pin.trunk} ${trunk}`);
    expect(argvs.some((a) => a.startsWith('git rebase') || a.startsWith('git worktree add'))).toBe(false);
    expect(argvs.find((a) => a.startsWith('git push'))).toContain(`--force-with-lease=refs/heads/${f.trunk}:${pin.forkTrunk} origin ${pin.upstream}:refs/heads/${f.mirror} ${trunk}:refs/heads/${f.trunk}`);
    expect(remoteSha(f, f.trunk)).toBe(trunk);
    // The primary worktree has the trunk checked out: it follows, clean, with upstream's new file.
    expect(git(f.clone, 'symbolic-ref', '--short', 'HEAD')).toBe(f.trunk);
    expect(readFileSync(join(f.clone, 'NEW.md'), 'utf8')).toBe('new upstream file\n');
    expect(clean(f)).toBe('');
    expect((r.data?.actions as string[]).join('\n')).toContain('replayed in memory, trunk moved by compare-and-swap');
  });

  it('memory engine: a trunk checked out in another worktree is brought to the new tip; the primary worktree is left alone', async () => {
    const f = fixture(onUpstream);
    git(f.clone, 'checkout', '-q', f.mirror);
    const other = join(f.root, 'trunk-wt');
    git(f.clone, 'worktree', 'add', '-q', other, f.trunk);
    const ctx = makeStageContext(f);
    const pin = (await verified(ctx)).pin!;
    const r = await applied(ctx);
    expect(r.status, r.summary).toBe('ok');
    expect(git(other, 'symbolic-ref', '--short', 'HEAD')).toBe(f.trunk);
    expect(git(other, 'rev-parse', 'HEAD~1')).toBe(pin.upstream);
    expect(readFileSync(join(other, 'NEW.md'), 'utf8')).toBe('new upstream file\n');
    expect(readFileSync(join(other, 'FORK.md'), 'utf8')).toBe('fork notes\n');
    expect(git(other, 'status', '--porcelain', '--untracked-files=all')).toBe('');
    expect(git(f.clone, 'symbolic-ref', '--short', 'HEAD')).toBe(f.mirror);
    expect(clean(f)).toBe('');
    expect(remoteSha(f, f.trunk)).toBe(git(f.clone, 'rev-parse', f.trunk));
  });

  it('worktree engine: still rebases with git rebase, in a detached temporary worktree; the trunk then moves by compare-and-swap', async () => {
    const f = fixture(onUpstream);
    const ctx = makeStageContext(f, { engine: 'worktree' });
    const pin = (await verified(ctx)).pin!;
    const r = await applyStage(ctx);
    expect(r.status, r.summary).toBe('ok');
    expect(r.data?.engine).toEqual({ used: 'worktree', requested: 'worktree' });
    expect(argvsOf(ctx)).toContain(`git rebase --no-update-refs --no-autosquash --no-autostash ${pin.upstream}`);
    const trunk = git(f.clone, 'rev-parse', f.trunk);
    expect(argvsOf(ctx).some((a) => a.startsWith('git worktree add') && a.endsWith(` ${pin.trunk}`))).toBe(true);
    expect(argvsOf(ctx)).toContain(`git read-tree -m -u ${pin.trunk} ${trunk}`);
    expect(ctx.state.candidates.find((c) => c.role === 'trunk')).toMatchObject({ from: pin.trunk, to: trunk, status: 'moved' });
    expect(git(f.clone, 'rev-parse', `${f.trunk}~1`)).toBe(pin.upstream);
    expect(clean(f)).toBe('');
  });

  it('memory engine: the compare-and-swap refuses when the trunk moves concurrently (during the mirror move); the newcomer stays, nothing pushed', async () => {
    const f = fixture(onUpstream);
    git(f.clone, 'checkout', '-q', f.mirror);
    const ctx = makeStageContext(f);
    const pin = (await verified(ctx)).pin!;
    // Another process commits to the (not checked out) trunk while apply moves the mirror.
    const shaFile = join(f.root, 'concurrent-sha');
    const hook = join(f.clone, '.git', 'hooks', 'reference-transaction');
    writeFileSync(
      hook,
      `#!/bin/sh
[ "$1" = committed ] || exit 0
grep -q " refs/heads/${f.mirror}$" || exit 0
[ -f '${shaFile}' ] && exit 0
new=$(git commit-tree -p refs/heads/${f.trunk} -m 'someone else: concurrent local commit' 'refs/heads/${f.trunk}^{tree}') || exit 1
git update-ref refs/heads/${f.trunk} "$new" || exit 1
echo "$new" > '${shaFile}'
exit 0
`,
    );
    chmodSync(hook, 0o755);
    const r = await applyStage(ctx);
    expect(existsSync(shaFile)).toBe(true);
    const concurrent = readFileSync(shaFile, 'utf8').trim();
    expect(r).toMatchObject({ status: 'failed', outcome: 'error', errors: [{ code: 'E_MOVED_SINCE_VERIFY' }] });
    expect(git(f.clone, 'rev-parse', f.trunk)).toBe(concurrent);
    // The trunk was recorded before the move was tried; the run's cleanup will find it is not ours.
    expect(ctx.state.candidates.find((c) => c.role === 'trunk')?.status).toBe('recorded');
    expect(remoteSha(f, f.trunk)).toBe(pin.forkTrunk);
    expect(argvsOf(ctx).some((a) => a.startsWith('git push') && a.includes(`refs/heads/${f.trunk}`))).toBe(false);
  });

  it('memory engine apply conflict: nothing moved, same conflict fields as the rebase path', async () => {
    const f = fixture(conflicting);
    const conflictOf = async (engine: 'memory' | 'worktree') => {
      const ctx = makeStageContext(f, { engine }, 'same-run');
      const before = shasNow(f);
      ctx.setPin({ ...before, upstream: before.upstream!, trunk: before.trunk!, forkMirror: before.forkMirror ?? null, verifiedAt: new Date().toISOString(), runId: ctx.state.runId, clean: true });
      const r = await applyStage(ctx);
      expect(r.outcome).toBe('apply-conflict');
      expect(r.data?.engine, engine).toMatchObject({ used: engine });
      expect(git(f.clone, 'rev-parse', f.trunk)).toBe(before.trunk);
      expect(clean(f)).toBe('');
      // The worktree engine's rebase stopped in a linked worktree: aborted and removed with it.
      expect(noRebaseLeft(f), engine).toEqual(nothingLeft(f));
      expect(ctx.temporaries, engine).toEqual([]);
      return r.conflict;
    };
    expect(await conflictOf('memory')).toEqual(await conflictOf('worktree'));
  });

  it('onConflict "advance": verify pins the last clean upstream commit, apply moves the trunk there, the data says what is left', async () => {
    const f = fixture({
      patches: [
        { files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes' },
        { files: { 'src/lib.txt': lib('fork line 2') }, message: 'fork: change line 2' },
      ],
      upstreamCommits: [
        { files: { 'A.md': 'a\n' }, message: 'upstream: a' },
        { files: { 'B.md': 'b\n' }, message: 'upstream: b' },
        { files: { 'src/lib.txt': lib('upstream line 2') }, message: 'upstream: change line 2' },
        { files: { 'C.md': 'c\n' }, message: 'upstream: c' },
      ],
    });
    const ctx = makeStageContext(f, { onConflict: 'advance' });
    const upstreamLog = git(f.clone, 'log', '--reverse', '--format=%H', `${f.trunk}..upstream/${f.upstreamBranch}`).split('\n');
    const v = await verifyStage(ctx);
    expect(v.status, v.summary).toBe('ok');
    expect(v.pin).toMatchObject({ upstream: upstreamLog[1], clean: true });
    expect(v.data).toMatchObject({
      partial: true,
      upstreamDelta: { count: 2 },
      advance: {
        target: upstreamLog[3],
        lastClean: { sha: upstreamLog[1], subject: 'upstream: b' },
        firstBreaking: { sha: upstreamLog[2], subject: 'upstream: change line 2' },
        absorbed: 2,
        remaining: 2,
        files: ['src/lib.txt'],
      },
    });
    expect(v.conflict?.localization).toMatchObject({ remaining: 2 });
    expect(v.summary).toContain('2 upstream commit(s) left, first breaking');
    expect(v.warnings?.join('\n')).toContain('partial day (onConflict: advance)');
    ctx.setPin(v.pin!);
    const r = await applied(ctx);
    expect(r.status, r.summary).toBe('ok');
    expect(r.outcome).toBe('success');
    expect(git(f.clone, 'rev-parse', `${f.trunk}~2`)).toBe(upstreamLog[1]);
    expect(git(f.clone, 'rev-parse', f.mirror)).toBe(upstreamLog[1]);
    expect(remoteSha(f, f.trunk)).toBe(git(f.clone, 'rev-parse', f.trunk));
    expect(remoteSha(f, f.mirror)).toBe(upstreamLog[1]);
    expect(clean(f)).toBe('');
  });
});

describe('applyStage with a version bump', () => {
  it('commits the fork version on top of the rebased trunk; the same day again makes no commit (no-change)', async () => {
    const { cargoWorkspaceFiles, cargoMetadataLocked } = await import('../testing/cargo-workspace.js');
    const f = fixture({ base: cargoWorkspaceFiles('0.0.0') });
    git(f.upstreamWork, 'tag', 'v1.2.0');
    f.advanceUpstream([{ files: { 'NEW.md': 'release\n' }, message: 'upstream: release 1.3.0' }]);
    git(f.upstreamWork, 'tag', 'v1.3.0');
    git(f.upstreamWork, 'push', '-q', 'origin', '--tags');
    const version = { suffix: '-fork.1', source: 'tag' as const };

    const day1 = makeStageContext(f, { version });
    const pin = (await verified(day1)).pin!;
    const r1 = await applied(day1);
    expect(r1.status, r1.summary).toBe('ok');
    expect(r1.outcome).toBe('success');
    expect(r1.data?.bump).toMatchObject({ status: 'committed', forkVersion: '1.3.0-fork.1' });
    expect(git(f.clone, 'log', '-1', '--format=%s', f.trunk)).toBe('chore(fork): set fork version to 1.3.0-fork.1');
    expect(git(f.clone, 'rev-parse', `${f.trunk}~2`)).toBe(pin.upstream);
    expect(remoteSha(f, f.trunk)).toBe(git(f.clone, 'rev-parse', f.trunk));
    expect(cargoMetadataLocked(f.clone).packages.find((p) => p.name === 'a')?.version).toBe('1.3.0-fork.1');
    const tip = git(f.clone, 'rev-parse', f.trunk);

    const day2 = makeStageContext(f, { version });
    const v2 = await verified(day2);
    expect(v2.data?.upToDate).toBe(true);
    const r2 = await applyStage(day2);
    expect(r2.status, r2.summary).toBe('ok');
    expect(r2.outcome).toBe('no-change');
    expect(r2.data?.bump).toMatchObject({ status: 'unchanged' });
    expect(git(f.clone, 'rev-parse', f.trunk)).toBe(tip);
    expect(clean(f)).toBe('');
  });
});
