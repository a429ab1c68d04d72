import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { applyStage } from './apply-stage.js';
import { createForkFixture, git, type ForkFixture, type ForkFixtureOptions } from '@rebase-daily/core/testing';
import { makeStageContext, shasNow } from '../testing/stage-context.js';
import { verifyStage } from './verify-stage.js';

const fixtures: ForkFixture[] = [];
const fixture = (opts: Parameters<typeof createForkFixture>[0]) => {
  const f = createForkFixture(opts);
  fixtures.push(f);
  return f;
};
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup();
});

const lib = (line2: string) => `line 1\n${line2}\nline 3\n`;
const conflicting: ForkFixtureOptions = {
  patches: [
    { files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes' },
    { files: { 'src/lib.txt': lib('fork line 2') }, message: 'fork: change line 2' },
    { files: { 'FORK2.md': 'more\n' }, message: 'fork: more notes' },
  ],
  upstreamCommits: [{ files: { 'src/lib.txt': lib('upstream line 2') }, message: 'upstream: change line 2' }],
};
const cleanDay: ForkFixtureOptions = {
  patches: [
    { files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes' },
    { files: { 'docs/up.md': 'same change\n' }, message: 'fork: cherry-pick of an upstream fix' },
  ],
  upstreamCommits: [
    { files: { 'docs/up.md': 'same change\n' }, message: 'upstream: the fix' },
    { files: { 'NEW.md': 'new\n' }, message: 'upstream: new file' },
  ],
};
/** Loose objects in the repository's store (`git count-objects -v`: count). */
const looseObjects = (repo: string) => Number(/^count: (\d+)$/m.exec(git(repo, 'count-objects', '-v'))?.[1]);
/**
 * A throwaway gpg key in its own GNUPGHOME (real gpg, no passphrase), so `commit.gpgsign=true`
 * commits are really signed. Returns the key's fingerprint and a function that stops its agent.
 */
function throwawayGpgKey(dir: string): { home: string; fingerprint: string; stop: () => void } {
  const home = join(dir, 'gnupg');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const gpg = (...args: string[]) => execFileSync('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { env: { ...process.env, GNUPGHOME: home }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  gpg('--quick-gen-key', 'Rebase Daily Test <signing@example.com>', 'ed25519', 'sign', 'never');
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(gpg('--list-secret-keys', '--with-colons'))![1];
  return { home, fingerprint, stop: () => execFileSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: home }, stdio: 'ignore' }) };
}
const tempBranches = (repo: string) => git(repo, 'for-each-ref', '--format=%(refname)', 'refs/heads/rebase-daily/');
const worktrees = (repo: string) => git(repo, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length;

describe('verifyStage', () => {
  it('reports an up-to-date trunk without creating anything', async () => {
    const f = fixture({});
    const ctx = makeStageContext(f);
    const before = shasNow(f);
    const r = await verifyStage(ctx);
    expect(r.status).toBe('ok');
    expect(r.data?.upToDate).toBe(true);
    expect(r.pin).toMatchObject({ upstream: before.upstream, trunk: before.trunk, forkTrunk: before.forkTrunk, clean: true });
    expect(r.data?.queue).toHaveLength(1);
    expect(r.data?.upstreamDelta).toMatchObject({ count: 0 });
    expect(shasNow(f)).toEqual(before);
  });

  it('worktree engine: proves a clean replay on a temporary branch and moves no real ref', async () => {
    const f = fixture({
      patches: [
        { files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes' },
        { files: { 'docs/up.md': 'same change\n' }, message: 'fork: cherry-pick of an upstream fix' },
      ],
      upstreamCommits: [
        { files: { 'docs/up.md': 'same change\n' }, message: 'upstream: the fix' },
        { files: { 'NEW.md': 'new\n' }, message: 'upstream: new file' },
      ],
    });
    const ctx = makeStageContext(f, { engine: 'worktree' });
    const before = shasNow(f);
    const r = await verifyStage(ctx);
    expect(r.status, r.summary).toBe('ok');
    expect(r.data?.engine).toEqual({ used: 'worktree', requested: 'worktree' });
    expect(r.outcome).toBeUndefined();
    expect(r.pin).toMatchObject({ upstream: before.upstream, trunk: before.trunk, mirror: before.mirror, forkMirror: before.forkMirror, clean: true, runId: ctx.state.runId });
    expect((r.data?.queue as { subject: string }[]).map((p) => p.subject)).toEqual(['fork: add notes']);
    expect((r.data?.dropped as { subject: string }[]).map((p) => p.subject)).toEqual(['fork: cherry-pick of an upstream fix']);
    expect(r.data?.upstreamDelta).toEqual({ count: 2, range: `${git(f.clone, 'merge-base', before.upstream!, before.trunk!)}..${before.upstream}` });
    expect(r.data?.upToDate).toBe(false);
    expect(shasNow(f)).toEqual(before);
    expect(tempBranches(f.clone)).toBe('');
    expect(worktrees(f.clone)).toBe(1);
    expect(existsSync(r.data?.worktree as string)).toBe(false);
    expect(ctx.temporaries).toEqual([]);
    expect(git(f.clone, 'status', '--porcelain', '--untracked-files=all')).toBe('');
    // The worktree and branch were really made and the rebase really ran.
    const argvs = ctx.commandLog.entries.map((e) => e.argv.join(' '));
    expect(argvs.some((a) => a.startsWith('git worktree add --quiet -b rebase-daily/verify-'))).toBe(true);
    expect(argvs).toContain(`git rebase --no-update-refs --no-autosquash --no-autostash ${before.upstream}`);
  });

  it.each(['worktree', 'memory'] as const)('%s engine: reports the failing patch, its position, the files and reproduce commands on conflict; nothing moves', async (engine) => {
    const f = fixture(conflicting);
    const ctx = makeStageContext(f, { engine });
    const before = shasNow(f);
    const failing = git(f.clone, 'rev-parse', `${f.trunk}~1`);
    const r = await verifyStage(ctx);
    expect(r.status).toBe('failed');
    expect(r.outcome).toBe('verify-conflict');
    expect(r.data?.engine).toMatchObject({ used: engine, requested: engine });
    expect(r.conflict).toMatchObject({
      stage: 'verify',
      patch: { sha: failing, subject: 'fork: change line 2' },
      position: 2,
      queueLength: 3,
      files: ['src/lib.txt'],
    });
    expect(r.pin?.clean).toBe(false);
    expect(r.summary).toContain('patch 2/3');
    expect(shasNow(f)).toEqual(before);
    expect(tempBranches(f.clone)).toBe('');
    expect(worktrees(f.clone)).toBe(1);
    expect(ctx.temporaries).toEqual([]);
    expect(git(f.clone, 'status', '--porcelain', '--untracked-files=all')).toBe('');
    expect(git(f.clone, 'symbolic-ref', '--short', 'HEAD')).toBe(f.trunk);

    // A human running the reproduce lines gets the same conflict, and the cleanup line removes it.
    const lines = r.conflict!.reproduce;
    const script = `set -u\n${lines.slice(0, 3).join('\n')}\necho "rc=$?"\ngit diff --name-only --diff-filter=U\n${lines[4]}\n`;
    const out = execFileSync('bash', ['-c', script], { cwd: f.root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toContain('rc=1');
    expect(out).toContain('src/lib.txt');
    expect(worktrees(f.clone)).toBe(1);
    expect(shasNow(f)).toEqual(before);
  });

  it('memory engine (auto on a plain repo): proves the clean replay in memory, no worktree, no loose objects left behind', async () => {
    const f = fixture(cleanDay);
    const ctx = makeStageContext(f);
    const before = shasNow(f);
    const loose = looseObjects(f.clone);
    const r = await verifyStage(ctx);
    expect(r.status, r.summary).toBe('ok');
    expect(r.data?.engine).toMatchObject({ used: 'memory', requested: 'auto' });
    expect(r.data?.engine).not.toHaveProperty('fallbackReasons');
    expect(r.warnings).toEqual([]);
    expect(r.pin).toMatchObject({ upstream: before.upstream, trunk: before.trunk, clean: true });
    expect((r.data?.queue as { subject: string }[]).map((p) => p.subject)).toEqual(['fork: add notes']);
    expect((r.data?.dropped as { subject: string }[]).map((p) => p.subject)).toEqual(['fork: cherry-pick of an upstream fix']);
    expect(looseObjects(f.clone)).toBe(loose);
    expect(shasNow(f)).toEqual(before);
    expect(worktrees(f.clone)).toBe(1);
    expect(tempBranches(f.clone)).toBe('');
    const argvs = ctx.commandLog.entries.map((e) => e.argv.join(' '));
    expect(argvs.some((a) => a.startsWith('git worktree add') || a.startsWith('git rebase'))).toBe(false);
    // One merge-tree process for the day's merges (under stdbuf where it exists), in the same seam.
    expect(argvs.filter((a) => /^(\S*stdbuf -o0 )?git merge-tree --write-tree/.test(a))).toHaveLength(1);
    expect(r.data).toMatchObject({ mergeTreeCalls: 1 });
  });

  it('memory and worktree engines report the identical conflict; the memory one adds the localization and leaves no loose objects', async () => {
    const f = fixture(conflicting);
    const runId = 'same-run';
    const loose = looseObjects(f.clone);
    const byWorktree = await verifyStage(makeStageContext(f, { engine: 'worktree' }, runId));
    const memoryCtx = makeStageContext(f, { engine: 'memory' }, runId);
    const looseBefore = looseObjects(f.clone);
    const byMemory = await verifyStage(memoryCtx);
    expect(looseObjects(f.clone)).toBe(looseBefore);
    expect(looseBefore).toBeGreaterThanOrEqual(loose);
    expect(byWorktree.outcome).toBe('verify-conflict');
    expect(byMemory.outcome).toBe('verify-conflict');
    const { localization, ...memoryConflict } = byMemory.conflict!;
    expect(memoryConflict).toEqual(byWorktree.conflict);
    expect(byWorktree.conflict!.localization).toBeUndefined();
    expect(localization).toMatchObject({ lastClean: { index: -1 }, firstBreaking: { subject: 'upstream: change line 2' }, files: ['src/lib.txt'], remaining: 1 });
    expect(byMemory.summary.replace(/ \(verified.*$/, '')).toBe(byWorktree.summary);
  });

  it('localizes a conflict: last clean and first breaking upstream commits, the patch, files and other commits touching them', async () => {
    const long = (line2: string, line9 = 'line 9') => `line 1\n${line2}\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\n${line9}\nline 10\n`;
    const f = fixture({
      base: { 'README.md': 'upstream project\n', 'src/lib.txt': long('line 2') },
      patches: [
        { files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes' },
        { files: { 'src/lib.txt': long('fork line 2') }, message: 'fork: change line 2' },
      ],
      upstreamCommits: [
        { files: { 'A.md': 'a\n' }, message: 'upstream: a' },
        { files: { 'src/lib.txt': long('line 2', 'line 9 upstream') }, message: 'upstream: touch line 9' },
        { files: { 'B.md': 'b\n' }, message: 'upstream: b' },
        { files: { 'src/lib.txt': long('upstream line 2', 'line 9 upstream') }, message: 'upstream: change line 2' },
        { files: { 'C.md': 'c\n' }, message: 'upstream: c' },
      ],
    });
    const ctx = makeStageContext(f);
    const r = await verifyStage(ctx);
    expect(r.outcome).toBe('verify-conflict');
    const upstreamLog = git(f.clone, 'log', '--reverse', '--format=%H', `${f.trunk}..upstream/${f.upstreamBranch}`).split('\n');
    const loc = r.conflict!.localization!;
    expect(loc).toMatchObject({
      upstreamCount: 5,
      lastClean: { sha: upstreamLog[2], subject: 'upstream: b', index: 2 },
      firstBreaking: { sha: upstreamLog[3], subject: 'upstream: change line 2', index: 3 },
      remaining: 2,
      patch: { sha: git(f.clone, 'rev-parse', f.trunk), subject: 'fork: change line 2' },
      files: ['src/lib.txt'],
      otherTouching: [{ sha: upstreamLog[1], subject: 'upstream: touch line 9' }],
    });
    expect(loc.replays as number).toBeLessThanOrEqual(Math.ceil(Math.log2(5)) + 1);
    expect(loc.summary).toContain('first breaking');
    expect(r.nextActions?.[0]).toContain(`Localization: last clean upstream commit ${upstreamLog[2].slice(0, 12)} "upstream: b" (3 of 5)`);
  });

  it('auto falls back to the worktree engine when rerere has recorded resolutions, and says so', async () => {
    const f = fixture(cleanDay);
    git(f.clone, 'config', 'rerere.enabled', 'true');
    mkdirSync(join(f.clone, '.git', 'rr-cache', 'abc'), { recursive: true });
    writeFileSync(join(f.clone, '.git', 'rr-cache', 'abc', 'postimage'), 'resolved\n');
    const ctx = makeStageContext(f);
    const r = await verifyStage(ctx);
    expect(r.status, r.summary).toBe('ok');
    expect(r.data?.engine).toMatchObject({ used: 'worktree', requested: 'auto', fallbackReasons: [expect.stringMatching(/rerere/)] });
    expect(r.warnings?.join('\n')).toMatch(/fell back to the worktree engine: rerere/);
    expect(r.summary).toMatch(/verified with git rebase in a worktree: rerere/);
    expect(ctx.commandLog.entries.some((e) => e.argv[1] === 'rebase')).toBe(true);
  });

  it('auto falls back to the worktree engine with commit.gpgsign=true (rebase would sign); engine "memory" forces memory with a warning', async () => {
    const f = fixture(cleanDay);
    const key = throwawayGpgKey(f.root);
    const savedHome = process.env.GNUPGHOME;
    process.env.GNUPGHOME = key.home; // the seam's git inherits it, and hands it to gpg
    onTestFinished(() => {
      if (savedHome === undefined) delete process.env.GNUPGHOME;
      else process.env.GNUPGHOME = savedHome;
      key.stop();
    });
    git(f.clone, 'config', 'user.signingkey', key.fingerprint);
    git(f.clone, 'config', 'commit.gpgsign', 'true');
    // The key really signs here: a signed commit in the clone verifies.
    git(f.clone, 'commit', '-q', '--allow-empty', '-m', 'fork: signed marker');
    expect(git(f.clone, 'log', '-1', '--format=%G?', 'HEAD')).toBe('G');
    const auto = await verifyStage(makeStageContext(f));
    expect(auto.status, auto.summary).toBe('ok');
    expect(auto.data?.engine).toMatchObject({ used: 'worktree', requested: 'auto', fallbackReasons: [expect.stringMatching(/commit\.gpgsign/)] });
    expect(auto.summary).toMatch(/commit\.gpgsign/);
    const forced = await verifyStage(makeStageContext(f, { engine: 'memory' }));
    expect(forced.status, forced.summary).toBe('ok');
    expect(forced.data?.engine).toMatchObject({ used: 'memory', requested: 'memory' });
    expect(forced.warnings?.join('\n')).toMatch(/engine "memory" forced/);
  });

  it('onConflict "stop" (default) keeps the conflict: nothing pinned clean, no ref moves', async () => {
    const f = fixture(advanceDay);
    const ctx = makeStageContext(f);
    const before = shasNow(f);
    const r = await verifyStage(ctx);
    expect(r).toMatchObject({ status: 'failed', outcome: 'verify-conflict', pin: { clean: false, upstream: before.upstream } });
    expect(r.data?.partial).toBeUndefined();
    expect(await applyStage({ ...ctx, state: { ...ctx.state, pin: r.pin! } })).toMatchObject({ outcome: 'error', errors: [{ code: 'E_NOT_VERIFIED' }] });
    expect(shasNow(f)).toEqual(before);
  });

  it('onConflict "advance" does not advance when the queue breaks on the first upstream commit', async () => {
    const f = fixture(conflicting);
    const r = await verifyStage(makeStageContext(f, { onConflict: 'advance' }));
    expect(r.outcome).toBe('verify-conflict');
    expect(r.warnings?.join('\n')).toMatch(/not advancing, the queue already breaks on the first new upstream commit/);
  });
});

const advanceDay: ForkFixtureOptions = {
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
};
