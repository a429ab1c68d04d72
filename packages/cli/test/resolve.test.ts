import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ResolveReportSchema, ResolveViewSchema } from '@rebase-daily/core';
import { commitFiles, git, writeFixtureConfig } from '@rebase-daily/core/testing';
import { EnvelopeSchema } from '../src/index.js';
import { cli, day, spawnCli, type Day } from './helpers.js';

// `rebase-daily resolve` end to end: real repositories with bare remotes, the CLI, and a scripted
// resolver that edits the conflicting files in the resolution worktree and `git add`s them.
let d: Day | undefined;
afterEach(() => d?.fixture.cleanup());

const LIB = 'src/lib.txt';
const base = { 'README.md': 'upstream project\n', [LIB]: 'line 1\nline 2\nline 3\n' };

/** One fork patch that edits line 2, one that adds a file; upstream edits line 2 too. */
function oneConflict(extra: Record<string, unknown> = {}): Day {
  return day(
    {
      base,
      patches: [
        { files: { [LIB]: 'line 1\nline 2 fork\nline 3\n' }, message: 'fork: change line 2\n\nThe fork needs its own line 2.' },
        { files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes' },
      ],
      upstreamCommits: [{ files: { [LIB]: 'line 1\nline 2 upstream\nline 3\n' }, message: 'upstream: change line 2' }],
    },
    extra,
  );
}

/** The scripted resolver: write the resolved content into the worktree, stage it. */
function resolveFile(wt: string, path: string, content: string): void {
  writeFileSync(join(wt, path), content);
  git(wt, 'add', '--', path);
}

/** Every ref of a bare remote, exactly as git lists them. */
const remoteRefs = (bare: string) => git(bare, 'for-each-ref', '--format=%(objectname) %(refname)');
const noValidate = ['--no-validate', '--reason', 'demo fork has no test suite'];

async function rd(dd: Day, ...args: string[]) {
  return cli([...args, '--config', dd.configPath, '--json']);
}

describe('resolve', () => {
  it('one conflicting patch: daily exits 10, start shows the conflict, continue, finish publishes with leases (resolved, exit 0)', async () => {
    d = oneConflict();
    const f = d.fixture;
    const daily = await rd(d, 'daily');
    expect(daily.code).toBe(10);
    const before = d.refs();

    const start = await rd(d, 'resolve', 'start', '--authorised-by', 'ada in chat #fork-ops');
    expect(start.code, start.stdout).toBe(0);
    EnvelopeSchema.parse(start.json);
    const view = ResolveViewSchema.parse(start.json.data);
    expect(view).toMatchObject({ phase: 'conflict', position: 1, queueLength: 2, rebaseInProgress: true, filesInConflict: [LIB], authorisedBy: 'ada in chat #fork-ops' });
    expect(view.pin?.source).toMatch(/^verify /);
    // resolve start writes the context bundle beside the resolution's state (issue 22).
    const bundle = JSON.parse(readFileSync(join(d.fixture.clone, '.scratch', 'rebase-daily', 'resolve', 'context', 'context.json'), 'utf8'));
    expect(bundle.patchesByFile.map((f: { file: string }) => f.file)).toEqual([LIB]);
    expect(view.pin).toMatchObject({ upstream: before.upstream, trunk: before.trunk, forkTrunk: before.originTrunk });
    const c = view.conflict!;
    expect(c.patch).toMatchObject({ subject: 'fork: change line 2', author: 'Fixture Author <author@example.com>' });
    expect(c.patch.message).toContain('The fork needs its own line 2.');
    expect(c.files).toEqual([
      { path: LIB, stages: [1, 2, 3], kind: 'both-modified', hunks: [{ line: 2, upstream: ['line 2 upstream'], base: ['line 2'], patch: ['line 2 fork'], truncated: 0 }], moreHunks: 0, stageExcerpts: null, fromMemory: false },
    ]);
    expect(c.upstreamCommits).toHaveLength(1);
    expect(c.upstreamCommits[0]).toMatchObject({ sha: before.upstream, subject: 'upstream: change line 2', files: [{ path: LIB, added: 1, deleted: 1 }] });
    expect(view.next.join('\n')).toMatch(/resolve continue --config/);
    const wt = view.worktree!;
    expect(existsSync(wt)).toBe(true);
    expect(readFileSync(join(wt, LIB), 'utf8')).toContain('<<<<<<< HEAD');
    expect(d.refs()).toEqual(before);
    expect(d.clean()).toBe(true);
    // doctor does not mistake the resolution's stopped rebase for a crashed run's leftover.
    const doctor = await rd(d, 'doctor');
    expect(doctor.json.data.checks.find((ch: { name: string }) => ch.name === 'leftovers')).toMatchObject({ status: 'ok' });

    // The human text names the same things.
    const status = await cli(['resolve', 'status', '--config', d.configPath]);
    expect(status.stdout).toMatch(/patch 1 of 2 \(stopped on a conflict\); files still in conflict: src\/lib\.txt/);
    expect(status.stdout).toMatch(/upstream: change line 2/);

    // A scheduled run meanwhile exits 15 and names the resolution; so does `lock`; unlock refuses.
    const refused = await rd(d, 'daily');
    expect(refused.code).toBe(15);
    expect(refused.json.errors[0].message).toMatch(/a conflict resolution \(.+\) of .+resolve finish.+resolve abort/);
    expect((await rd(d, 'unlock')).code).toBe(15);

    // continue refuses while the file is unmerged, then while markers are staged.
    const early = await cli(['resolve', 'continue', '--config', d.configPath]);
    expect(early.code).toBe(17);
    expect(early.stderr).toMatch(/^rebase-daily: E_RESOLVE_UNMERGED: still in conflict: src\/lib\.txt; edit them/);
    git(wt, 'add', '--', LIB);
    const markers = await cli(['resolve', 'continue', '--config', d.configPath]);
    expect(markers.code).toBe(17);
    expect(markers.stderr.trim().split('\n')).toEqual(['rebase-daily: E_RESOLVE_MARKERS: conflict markers remain in staged files: src/lib.txt; remove them, `git add` again, then rerun `resolve continue`']);

    resolveFile(wt, LIB, 'line 1\nline 2 upstream, fork\nline 3\n');
    const cont = await rd(d, 'resolve', 'continue');
    expect(cont.code, cont.stdout).toBe(0);
    expect(cont.json.data).toMatchObject({ phase: 'replayed', position: 2, rebaseInProgress: false, conflict: null });

    // finish refuses without validation unless --no-validate --reason; nothing moves.
    const refuse = await rd(d, 'resolve', 'finish');
    expect(refuse.code).toBe(2);
    expect(refuse.json.errors[0].code).toBe('E_RESOLVE_NO_VALIDATION');
    expect((await rd(d, 'resolve', 'finish', '--no-validate')).code).toBe(2);
    expect(d.refs()).toEqual(before);

    const fin = await rd(d, 'resolve', 'finish', ...noValidate);
    expect(fin.code, JSON.stringify(fin.json.errors)).toBe(0);
    expect(fin.json).toMatchObject({ command: 'resolve finish', outcome: 'resolved', exitCode: 0 });
    const after = d.refs();
    expect(after.mirror).toBe(before.upstream);
    expect(after.originMirror).toBe(before.upstream);
    expect(after.originTrunk).toBe(after.trunk);
    expect(git(f.clone, 'merge-base', '--is-ancestor', before.upstream, after.trunk)).toBe('');
    expect(git(f.clone, 'show', `${after.trunk}:${LIB}`)).toBe('line 1\nline 2 upstream, fork\nline 3');
    expect(git(f.clone, 'log', '--format=%s', `${before.upstream}..${after.trunk}`).split('\n')).toEqual(['fork: add notes', 'fork: change line 2']);
    // The checked-out trunk followed the move; nothing is left behind.
    expect(d.clean()).toBe(true);
    expect(readFileSync(join(f.clone, LIB), 'utf8')).toBe('line 1\nline 2 upstream, fork\nline 3\n');
    expect(existsSync(wt)).toBe(false);
    expect(git(f.clone, 'branch', '--list', 'rebase-daily-resolve/*')).toBe('');
    expect(existsSync(join(f.clone, '.git', 'rr-cache'))).toBe(false);

    const report = ResolveReportSchema.parse(JSON.parse(readFileSync(fin.json.data.reportPath, 'utf8')));
    expect(report).toMatchObject({ outcome: 'resolved', authorisedBy: 'ada in chat #fork-ops', newTrunk: after.trunk, validation: { status: 'skipped', skippedReason: 'demo fork has no test suite' } });
    expect(report.patches.map((p) => [p.status, p.subject])).toEqual([
      ['changed', 'fork: change line 2'],
      ['same', 'fork: add notes'],
    ]);
    expect(report.patches[0].diff).toMatch(/\+line 2 upstream, fork/);
    expect(report.stops).toMatchObject([{ position: 1, files: [LIB], fromMemory: [], resolvedFiles: [LIB] }]);
    expect(report.publish).toMatchObject({ atomic: true, refs: [{ branch: f.mirror, expected: before.originMirror, ok: true }, { branch: f.trunk, expected: before.originTrunk, ok: true }] });
    expect(readFileSync(fin.json.data.summaryPath, 'utf8')).toMatch(/resolved \(exit 0\)/);
    const log = readFileSync(join(f.clone, '.scratch', 'rebase-daily', 'resolve', 'commands.jsonl'), 'utf8');
    expect(log).toMatch(new RegExp(`--force-with-lease=refs/heads/${f.trunk.replace('/', '\\/')}:${before.originTrunk}`));
    expect(log).toMatch(/"--atomic"/);

    expect((await rd(d, 'status')).json.data.lock.held).toBe(false);
    const next = await rd(d, 'daily');
    expect(next.json.outcome).toBe('no-change');
  });

  it('two patches conflicting at different points: two stops, each resolved, then resolved', async () => {
    d = day({
      base: { [LIB]: 'one\ntwo\nthree\nfour\nfive\nsix\nseven\n' },
      patches: [
        { files: { [LIB]: 'one fork\ntwo\nthree\nfour\nfive\nsix\nseven\n' }, message: 'fork: first line' },
        { files: { [LIB]: 'one fork\ntwo\nthree\nfour\nfive\nsix\nseven fork\n' }, message: 'fork: last line' },
      ],
      upstreamCommits: [
        { files: { [LIB]: 'one up\ntwo\nthree\nfour\nfive\nsix\nseven\n' }, message: 'upstream: first line' },
        { files: { [LIB]: 'one up\ntwo\nthree\nfour\nfive\nsix\nseven up\n' }, message: 'upstream: last line' },
      ],
    });
    const before = d.refs();
    const start = await rd(d, 'resolve', 'start');
    expect(start.json.data).toMatchObject({ phase: 'conflict', position: 1, queueLength: 2 });
    expect(start.json.data.pin.source).toMatch(/^fresh: no verify run recorded/);
    expect(start.json.data.conflict.files[0].hunks[0]).toMatchObject({ upstream: ['one up'], patch: ['one fork'] });
    const wt = start.json.data.worktree;
    resolveFile(wt, LIB, 'one up+fork\ntwo\nthree\nfour\nfive\nsix\nseven up\n');
    const second = await rd(d, 'resolve', 'continue');
    expect(second.json.data).toMatchObject({ phase: 'conflict', position: 2, filesInConflict: [LIB] });
    expect(second.json.data.conflict.patch.subject).toBe('fork: last line');
    expect(second.json.data.conflict.files[0].hunks[0]).toMatchObject({ upstream: ['seven up'], patch: ['seven fork'] });
    expect(second.json.data.conflict.upstreamCommits.map((u: { subject: string }) => u.subject)).toEqual(['upstream: last line', 'upstream: first line']);
    resolveFile(wt, LIB, 'one up+fork\ntwo\nthree\nfour\nfive\nsix\nseven up+fork\n');
    expect((await rd(d, 'resolve', 'continue')).json.data).toMatchObject({ phase: 'replayed', position: 2 });
    const fin = await rd(d, 'resolve', 'finish', ...noValidate);
    expect(fin.code).toBe(0);
    const report = fin.json.data.report;
    expect(report.stops.map((s: { position: number }) => s.position)).toEqual([1, 2]);
    expect(report.patches.map((p: { status: string }) => p.status)).toEqual(['changed', 'changed']);
    const after = d.refs();
    expect(after.originTrunk).toBe(after.trunk);
    expect(git(d.fixture.clone, 'show', `${after.trunk}:${LIB}`)).toBe('one up+fork\ntwo\nthree\nfour\nfive\nsix\nseven up+fork');
    expect(after.upstream).toBe(before.upstream);
  });

  it('abort removes the worktree and branch it recorded, ends the lock, moves nothing', async () => {
    d = oneConflict();
    const before = d.refs();
    const beforeOrigin = remoteRefs(d.fixture.originBare);
    // A branch and worktree of the user's under the same scratch dir stay untouched.
    git(d.fixture.clone, 'branch', 'users-own');
    const start = await rd(d, 'resolve', 'start');
    const wt = start.json.data.worktree;
    const branch = start.json.data.branch;
    resolveFile(wt, LIB, 'half done\n');
    const ab = await rd(d, 'resolve', 'abort');
    expect(ab.code).toBe(0);
    expect(ab.json.data.actions).toEqual([`removed the resolution worktree ${wt}`, `deleted the temporary branch ${branch}`, 'ended the lock']);
    expect(existsSync(wt)).toBe(false);
    expect(git(d.fixture.clone, 'branch', '--list', branch)).toBe('');
    expect(git(d.fixture.clone, 'branch', '--list', 'users-own')).toMatch(/users-own/);
    expect(d.refs()).toEqual(before);
    expect(remoteRefs(d.fixture.originBare)).toBe(beforeOrigin);
    expect(d.clean()).toBe(true);
    expect((await rd(d, 'status')).json.data.lock.held).toBe(false);
    expect((await cli(['resolve', 'status', '--config', d.configPath])).stdout).toMatch(/no conflict resolution in progress/);
    expect((await cli(['resolve', 'abort', '--config', d.configPath])).stdout).toMatch(/nothing to abort/);
    const cont = await rd(d, 'resolve', 'continue');
    expect(cont.json.errors[0].code).toBe('E_RESOLVE_NONE');
  });

  it('a resolution that leaves the patch empty (upstream\'s side taken): continue refuses with E_RESOLVE_WOULD_DROP, the rebase stays stopped there, nothing moves', async () => {
    d = oneConflict();
    const before = d.refs();
    const start = await rd(d, 'resolve', 'start');
    expect(start.code, start.stdout).toBe(0);
    const wt = start.json.data.worktree;
    // Upstream's line 2 exactly: the staged tree equals HEAD, so the patch would become empty.
    resolveFile(wt, LIB, 'line 1\nline 2 upstream\nline 3\n');
    const cont = await rd(d, 'resolve', 'continue');
    expect(cont.code).toBe(18);
    expect(cont.json.errors).toEqual([
      expect.objectContaining({
        code: 'E_RESOLVE_WOULD_DROP',
        message: expect.stringMatching(/^the resolution leaves patch 1\/2 [0-9a-f]{12} "fork: change line 2" empty, which drops it from the queue; .*rerun `resolve continue`$/),
      }),
    ]);
    const view = ResolveViewSchema.parse((await rd(d, 'resolve', 'status')).json.data);
    expect(view).toMatchObject({ phase: 'conflict', position: 1, rebaseInProgress: true });
    expect(d.refs()).toEqual(before);
    expect((await rd(d, 'resolve', 'abort')).code).toBe(0);
    expect(d.refs()).toEqual(before);
  });

  it('the fork remote trunk moved during the resolution: finish exits 12, nothing published (bare remote refs byte-identical), local refs unchanged', async () => {
    d = oneConflict();
    const start = await rd(d, 'resolve', 'start');
    const wt = start.json.data.worktree;
    resolveFile(wt, LIB, 'line 1\nline 2 upstream, fork\nline 3\n');
    await rd(d, 'resolve', 'continue');
    // Someone else pushes to the fork trunk meanwhile.
    const other = d.fixture.otherClone();
    git(other, 'checkout', '-q', d.fixture.trunk);
    commitFiles(other, { 'OTHER.md': 'someone else\n' }, 'other: a commit on the fork trunk');
    git(other, 'push', '-q', 'origin', d.fixture.trunk);
    const before = d.refs();
    const originBefore = remoteRefs(d.fixture.originBare);

    const fin = await rd(d, 'resolve', 'finish', ...noValidate);
    expect(fin.code).toBe(12);
    expect(fin.json).toMatchObject({ outcome: 'push-blocked', errors: [{ code: 'E_LEASE_BLOCKED' }] });
    expect(fin.json.data.report.lease).toMatchObject({ reason: expect.stringContaining('moved during the resolution'), expected: start.json.data.pin.forkTrunk, actual: before.originTrunk });
    expect(remoteRefs(d.fixture.originBare)).toBe(originBefore);
    expect(d.refs()).toEqual(before);
    expect(d.clean()).toBe(true);
    // The resolution stays for a human to look at; status tells where it stands; abort ends it.
    const status = await rd(d, 'resolve', 'status');
    expect(status.json.data).toMatchObject({ phase: 'finishing', worktreeExists: true });
    expect((await rd(d, 'resolve', 'abort')).code).toBe(0);
    expect(d.refs()).toEqual(before);
  });

  it('a fork remote that refuses --atomic: finish exits 12 with E_ATOMIC_UNSUPPORTED as the publish stage does, nothing sent, local refs back; publish.atomic false then publishes ref by ref', async () => {
    d = oneConflict();
    git(d.fixture.originBare, 'config', 'receive.advertiseAtomic', 'false');
    const start = await rd(d, 'resolve', 'start');
    resolveFile(start.json.data.worktree, LIB, 'line 1\nline 2 upstream, fork\nline 3\n');
    await rd(d, 'resolve', 'continue');
    const before = d.refs();
    const originBefore = remoteRefs(d.fixture.originBare);
    const fin = await rd(d, 'resolve', 'finish', ...noValidate);
    expect(fin.code, JSON.stringify(fin.json)).toBe(12);
    expect(fin.json).toMatchObject({ outcome: 'push-blocked', errors: [{ code: 'E_ATOMIC_UNSUPPORTED' }] });
    expect(fin.json.data.report.publish).toMatchObject({ atomic: true });
    expect(remoteRefs(d.fixture.originBare)).toBe(originBefore);
    expect(d.refs()).toEqual(before);

    writeFileSync(d.configPath, JSON.stringify({ ...JSON.parse(readFileSync(d.configPath, 'utf8')), publish: { atomic: false } }));
    const again = await rd(d, 'resolve', 'finish', ...noValidate);
    expect(again.code, JSON.stringify(again.json)).toBe(0);
    expect(again.json.data.report.publish.atomic).toBe(false);
    expect(again.json.data.report.publish.refs.map((p: { branch: string; ok: boolean }) => [p.branch, p.ok])).toEqual([
      [d.fixture.mirror, true],
      [d.fixture.trunk, true],
    ]);
    const after = d.refs();
    expect(git(d.fixture.originBare, 'rev-parse', d.fixture.trunk)).toBe(after.trunk);
    expect(git(d.fixture.originBare, 'rev-parse', d.fixture.mirror)).toBe(before.upstream);
  });

  it('validation failing after the resolution: finish exits 14, nothing published', async () => {
    d = oneConflict({ validate: { format: false, test: ['sh', '-c', 'echo resolution breaks the build >&2; exit 3'] } });
    const start = await rd(d, 'resolve', 'start');
    resolveFile(start.json.data.worktree, LIB, 'line 1\nline 2 upstream, fork\nline 3\n');
    await rd(d, 'resolve', 'continue');
    const before = d.refs();
    const originBefore = remoteRefs(d.fixture.originBare);
    const fin = await rd(d, 'resolve', 'finish');
    expect(fin.code, JSON.stringify(fin.json)).toBe(14);
    expect(fin.json.outcome).toBe('validation-failed');
    expect(fin.json.data.report.validation).toMatchObject({ status: 'failed', skippedReason: null });
    expect(fin.json.data.report.validation.summary).toMatch(/step test .* failed \(exit 3\)/);
    expect(remoteRefs(d.fixture.originBare)).toBe(originBefore);
    expect(d.refs()).toEqual(before);
    expect(existsSync(start.json.data.worktree)).toBe(true);
    expect((await rd(d, 'resolve', 'abort')).code).toBe(0);
  });

  it('validation passing runs in the resolution worktree before anything moves', async () => {
    d = oneConflict({ validate: { format: false, test: ['sh', '-c', 'test "$(sed -n 2p src/lib.txt)" = "line 2 upstream, fork"'] } });
    const start = await rd(d, 'resolve', 'start');
    resolveFile(start.json.data.worktree, LIB, 'line 1\nline 2 upstream, fork\nline 3\n');
    await rd(d, 'resolve', 'continue');
    const fin = await rd(d, 'resolve', 'finish');
    expect(fin.code, JSON.stringify(fin.json)).toBe(0);
    expect(fin.json.data.report.validation).toMatchObject({ status: 'ok' });
    expect(fin.json.data.report.validation.summary).toMatch(/validated in the primary worktree/);
  });

  it('validate.worktree "dedicated": the validation worktree is on record before it exists and gone after; after a kill -9 during validation, abort removes it', async () => {
    const block = join(tmpdir(), `rebase-daily-block-${process.pid}-${Date.now()}`);
    const mark = `${block}.validating`;
    d = oneConflict({ validate: { format: false, worktree: 'dedicated', test: ['sh', '-c', `touch '${mark}'; while [ -e '${block}' ]; do sleep 0.1; done; rm -f '${mark}'`] } });
    const f = d.fixture;
    const runs = join(f.clone, '.scratch', 'rebase-daily', 'runs');
    const validateWt = join(f.clone, '.scratch', 'worktrees', 'validate');
    const records = () => (existsSync(runs) ? readdirSync(runs).filter((id) => existsSync(join(runs, id, 'state.json'))).map((id) => JSON.parse(readFileSync(join(runs, id, 'state.json'), 'utf8'))) : []);
    // post-checkout runs inside `git worktree add`, once the new worktree is checked out: what was on record then.
    const atCheckout = join(f.root, 'records-at-checkout.txt');
    const hook = join(f.clone, '.git', 'hooks', 'post-checkout');
    writeFileSync(hook, `#!/bin/sh\n[ "$(basename "$PWD")" = validate ] || exit 0\ncat '${runs}'/*/state.json > '${atCheckout}' 2>/dev/null\nexit 0\n`);
    chmodSync(hook, 0o755);
    const start = await rd(d, 'resolve', 'start');
    resolveFile(start.json.data.worktree, LIB, 'line 1\nline 2 upstream, fork\nline 3\n');
    await rd(d, 'resolve', 'continue');
    const before = d.refs();

    writeFileSync(block, '');
    const { child, done } = spawnCli(['resolve', 'finish', '--config', d.configPath]);
    for (let i = 0; i < 1200 && !existsSync(mark); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(mark)).toBe(true);
    expect(readFileSync(atCheckout, 'utf8')).toContain(JSON.stringify(validateWt));
    const recorded = records().filter((s) => s.temporaries.length > 0);
    expect(recorded).toMatchObject([{ command: 'resolve finish', finishedAt: null, temporaries: [{ kind: 'worktree', path: validateWt }] }]);
    child.kill('SIGKILL');
    await done;
    rmSync(block);
    for (let i = 0; i < 50 && existsSync(mark); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(validateWt)).toBe(true);

    // The next resolve command removes what the killed finish recorded, and only that.
    const abort = await rd(d, 'resolve', 'abort');
    expect(abort.code, JSON.stringify(abort.json)).toBe(0);
    expect(abort.json.data.actions.join('\n')).toContain(`(left by run ${recorded[0].runId})`);
    expect(existsSync(validateWt)).toBe(false);
    expect(records().flatMap((s) => s.temporaries)).toEqual([]);
    expect(d.refs()).toEqual(before);

    // Without a crash: recorded before it exists, removed after, and no record left behind.
    rmSync(atCheckout);
    const again = await rd(d, 'resolve', 'start');
    expect(again.json.data.phase).toBe('replayed');
    const fin = await rd(d, 'resolve', 'finish');
    expect(fin.code, JSON.stringify(fin.json)).toBe(0);
    expect(fin.json.data.report.validation).toMatchObject({ status: 'ok' });
    expect(readFileSync(atCheckout, 'utf8')).toContain(JSON.stringify(validateWt));
    expect(existsSync(validateWt)).toBe(false);
    expect(records().filter((s) => s.command === 'resolve finish' && s.runId !== recorded[0].runId)).toEqual([]);
    expect(d.refs().originTrunk).toBe(d.refs().trunk);
    rmSync(mark, { force: true });
  });

  it('a recorded resolution is re-applied on a retry, and the report says so', async () => {
    d = oneConflict();
    const first = await rd(d, 'resolve', 'start');
    resolveFile(first.json.data.worktree, LIB, 'line 1\nline 2 upstream, fork\nline 3\n');
    await rd(d, 'resolve', 'continue');
    expect((await rd(d, 'resolve', 'abort')).code).toBe(0);
    expect(existsSync(join(d.fixture.clone, '.scratch', 'rebase-daily', 'rerere', 'rr-cache'))).toBe(true);

    const retry = await rd(d, 'resolve', 'start');
    expect(retry.code).toBe(0);
    expect(retry.json.data).toMatchObject({ phase: 'replayed', position: 2, rebaseInProgress: false, rerere: { enabled: true }, reappliedFromMemory: [{ position: 1, files: [LIB] }] });
    expect(readFileSync(join(retry.json.data.worktree, LIB), 'utf8')).toBe('line 1\nline 2 upstream, fork\nline 3\n');
    expect(existsSync(join(d.fixture.clone, '.git', 'rr-cache'))).toBe(false);
    const fin = await rd(d, 'resolve', 'finish', ...noValidate);
    expect(fin.code).toBe(0);
    expect(fin.json.data.report.stops).toMatchObject([{ position: 1, fromMemory: [LIB], resolvedFiles: [LIB] }]);
    expect(readFileSync(fin.json.data.summaryPath, 'utf8')).toMatch(/re-applied from memory: src\/lib\.txt/);
  });

  it('a crash during finish (kill -9 while pushing): status tells the truth, finish completes; abort after another crash puts the local refs back', async () => {
    d = oneConflict();
    const f = d.fixture;
    const hook = join(f.clone, '.git', 'hooks', 'pre-push');
    const mark = join(f.root, 'pushing');
    const block = join(f.root, 'block');
    writeFileSync(hook, `#!/bin/sh\ntouch '${mark}'\nwhile [ -e '${block}' ]; do sleep 0.1; done\nrm -f '${mark}'\nexit 1\n`);
    chmodSync(hook, 0o755);
    const crashFinish = async () => {
      writeFileSync(block, '');
      const { child, done } = spawnCli(['resolve', 'finish', '--config', d!.configPath, ...noValidate]);
      for (let i = 0; i < 1200 && !existsSync(mark); i++) await new Promise((r) => setTimeout(r, 100));
      expect(existsSync(mark)).toBe(true);
      child.kill('SIGKILL');
      await done;
      rmSync(block);
      // The hook died with the CLI (its watchdog kills every process the run started), so the mark
      // it would have removed stays: remove it, or the next crash would fire before the push.
      await new Promise((r) => setTimeout(r, 500));
      rmSync(mark, { force: true });
    };
    const start = await rd(d, 'resolve', 'start');
    resolveFile(start.json.data.worktree, LIB, 'line 1\nline 2 upstream, fork\nline 3\n');
    await rd(d, 'resolve', 'continue');
    const before = d.refs();
    const originBefore = remoteRefs(f.originBare);

    await crashFinish();
    const status = await rd(d, 'resolve', 'status');
    expect(status.code).toBe(0);
    const moved = status.json.data;
    expect(moved).toMatchObject({ phase: 'publishing', worktreeExists: true, rebaseInProgress: false });
    expect(moved.refsNow.trunk).not.toBe(before.trunk);
    expect(moved.refsNow.mirror).toBe(before.upstream);
    expect(moved.next.join('\n')).toMatch(/resolve finish .*completes the interrupted finish/);
    expect(remoteRefs(f.originBare)).toBe(originBefore);

    // abort after the crash: the local refs go back by compare-and-swap; nothing was published.
    expect((await rd(d, 'resolve', 'abort')).code).toBe(0);
    expect(d.refs()).toEqual(before);
    expect(d.clean()).toBe(true);

    // Again, and this time finish completes after the crash (rerere re-applies the resolution).
    const again = await rd(d, 'resolve', 'start');
    expect(again.json.data.phase).toBe('replayed');
    await crashFinish();
    expect((await rd(d, 'resolve', 'status')).json.data.phase).toBe('publishing');
    rmSync(hook);
    const fin = await rd(d, 'resolve', 'finish', ...noValidate);
    expect(fin.code, JSON.stringify(fin.json.errors)).toBe(0);
    const after = d.refs();
    expect(after.originTrunk).toBe(after.trunk);
    expect(after.originMirror).toBe(before.upstream);
    expect(d.clean()).toBe(true);
  });

  it('a crash during continue (kill -9 as git moves the resolution branch): status tells the truth, continue records it, finish publishes', async () => {
    d = oneConflict();
    const f = d.fixture;
    const mark = join(f.root, 'moving');
    const block = join(f.root, 'block');
    // reference-transaction runs for every ref update; it holds the final update of the resolution branch.
    const hook = join(f.clone, '.git', 'hooks', 'reference-transaction');
    writeFileSync(hook, `#!/bin/sh\n[ "$1" = committed ] || exit 0\nif grep -q 'refs/heads/rebase-daily-resolve/' && [ -e '${block}' ]; then touch '${mark}'; while [ -e '${block}' ]; do sleep 0.1; done; rm -f '${mark}'; fi\nexit 0\n`);
    chmodSync(hook, 0o755);
    const start = await rd(d, 'resolve', 'start');
    resolveFile(start.json.data.worktree, LIB, 'line 1\nline 2 upstream, fork\nline 3\n');
    writeFileSync(block, '');
    const { child, done } = spawnCli(['resolve', 'continue', '--config', d.configPath]);
    for (let i = 0; i < 1200 && !existsSync(mark); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(mark)).toBe(true);
    child.kill('SIGKILL');
    await done;
    rmSync(block);
    for (let i = 0; i < 50 && existsSync(mark); i++) await new Promise((r) => setTimeout(r, 100));
    rmSync(hook);

    // Killed, git may have died too (SIGPIPE on its last progress line) with its rebase at the end
    // of the todo, or finished it: status says which, and continue completes either.
    const status = await rd(d, 'resolve', 'status');
    expect(status.json.data).toMatchObject({ position: 2, filesInConflict: [], conflict: null });
    if (status.json.data.rebaseInProgress) {
      expect(status.json.data.phase).toBe('replaying');
      expect(status.json.data.warnings.join('\n')).toMatch(/a replay step was interrupted .* `resolve continue` completes it/);
    } else {
      expect(status.json.data.phase).toBe('replayed');
      expect(status.json.data.warnings.join('\n')).toMatch(/the state file says replaying, git says replayed/);
    }
    const cont = await rd(d, 'resolve', 'continue');
    expect(cont.code, JSON.stringify(cont.json.errors)).toBe(0);
    expect(cont.json.data).toMatchObject({ phase: 'replayed', rebaseInProgress: false });
    const fin = await rd(d, 'resolve', 'finish', ...noValidate);
    expect(fin.code, JSON.stringify(fin.json.errors)).toBe(0);
    expect(d.refs().originTrunk).toBe(d.refs().trunk);
  });

  it('usage: resolve needs a known step; the flags belong to resolve', async () => {
    expect((await cli(['resolve'])).stderr).toMatch(/missing step; use `rebase-daily resolve start\|continue\|fixup\|edit\|finish\|abort\|status`/);
    expect((await cli(['resolve', 'frob'])).code).toBe(2);
    expect((await cli(['daily', '--authorised-by', 'x'])).stderr).toMatch(/`rebase-daily daily` does not take --authorised-by \(`rebase-daily resolve` does\)/);
  });

  it('a second start while one is in progress is refused and changes nothing', async () => {
    d = oneConflict();
    await rd(d, 'resolve', 'start');
    const again = await rd(d, 'resolve', 'start');
    expect(again.code).toBe(1);
    expect(again.json.errors[0].code).toBe('E_RESOLVE_ACTIVE');
    writeFixtureConfig(d.fixture);
    expect((await rd(d, 'resolve', 'abort')).code).toBe(0);
  });
});
