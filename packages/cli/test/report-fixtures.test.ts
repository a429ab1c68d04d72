import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunStateSchema, readStageData, runPaths, type RunState } from '@rebase-daily/core';
import { git, makeTempDir, removeDir } from '@rebase-daily/core/testing';
import { buildReport, renderSummary, ReportSchema } from '@rebase-daily/report';
import { cli, day, spawnCli, workspaceRoot, type Day } from './helpers.js';

/**
 * The report's fixtures are recorded from real runs: each scenario below builds a real fork (bare
 * remotes by file path), runs the real CLI, compares the report's fields with git itself, and —
 * only under `npm run record-report-fixtures -w @rebase-daily/cli` (vitest's record mode) — writes
 * the run's state.json to packages/report/src/__fixtures__/runs/<scenario>.json, which the report's
 * render tests read. Without the variable every scenario still runs live and must parse with core's
 * stage contracts and render: a stage whose output changes without the report following fails here.
 */
const FIXTURES = resolve(workspaceRoot, 'packages', 'report', 'src', '__fixtures__', 'runs');
const RECORD = process.env.RECORD_REPORT_FIXTURES === '1';

describe('recording the fixtures', () => {
  // vitest.config.ts forces the variable empty outside `--mode record-report-fixtures`, so the test
  // target (or a shell that exported RECORD_REPORT_FIXTURES=1) never rewrites the report's fixtures.
  it('happens only in the record mode, never under the test target', () => {
    expect(process.env.REBASE_DAILY_VITEST_MODE).toBeTruthy();
    expect(RECORD).toBe(process.env.REBASE_DAILY_VITEST_MODE === 'record-report-fixtures');
  });
});

const days: Day[] = [];
const homes: string[] = [];
afterAll(() => {
  for (const d of days) d.fixture.cleanup();
  for (const h of homes) removeDir(h);
});

function track(d: Day): Day {
  days.push(d);
  return d;
}

/** The run's state.json, as the pipeline left it. */
function stateOf(d: Day, runId: string): RunState {
  const file = runPaths(join(d.fixture.clone, '.scratch'), runId).state;
  return RunStateSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** Only machine paths are scrubbed (SHAs, subjects and times are what the run recorded). */
function scrub(state: RunState, d: Day): unknown {
  let text = JSON.stringify(state, null, 2);
  for (const [from, to] of [
    [d.fixture.root, '/fixture'],
    [workspaceRoot, '/workspace'],
    ...homes.map((h, i) => [h, `/tmp/recorded-${i}`] as const),
  ] as const) {
    text = text.split(from).join(to);
  }
  return JSON.parse(text);
}

function record(name: string, state: RunState, d: Day): void {
  // Every recorded stage's data parses with its contract; a recording that does not is refused.
  for (const s of state.stages) expect(readStageData(state, s.name).problems, `${name}: ${s.name}`).toEqual([]);
  const report = ReportSchema.parse(buildReport(state, { docs: null }));
  expect(renderSummary(report)).toContain(`# rebase-daily`);
  if (!RECORD) return;
  mkdirSync(FIXTURES, { recursive: true });
  writeFileSync(join(FIXTURES, `${name}.json`), `${JSON.stringify(scrub(state, d), null, 2)}\n`);
}

const rev = (repo: string, ref: string) => git(repo, 'rev-parse', ref);
const patchesOn = (repo: string, range: string) => git(repo, 'log', '--reverse', '--format=%H %s', range).split('\n').filter(Boolean);

async function daily(d: Day): Promise<{ code: number; json: any; report: any; state: RunState }> {
  const r = await cli(['daily', '--config', d.configPath, '--json']);
  const report = d.report();
  return { code: r.code, json: r.json, report, state: stateOf(d, report.runId) };
}

describe('report fields against git, per outcome (recorded as the report fixtures)', () => {
  it('success: before/after SHAs, the queue old → new, pushed refs with their lease, upstream moved vs absorbed', async () => {
    const d = track(day({ patches: [{ files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes' }, { files: { 'src/fork.txt': 'fork\n' }, message: 'fork: add fork.txt' }] }));
    const before = d.refs();
    const trackingBefore = rev(d.fixture.clone, `refs/remotes/upstream/${d.fixture.upstreamBranch}`);
    const upstreamNow = d.fixture.advanceUpstream([
      { files: { 'UPSTREAM.md': 'new\n' }, message: 'upstream: add file' },
      { files: { 'src/lib.txt': 'line 1\nline 2\nline 3\nline 4\n' }, message: 'upstream: extend lib' },
    ]);
    const oldQueue = patchesOn(d.fixture.clone, `${before.mirror}..${before.trunk}`);
    const { code, json, report, state } = await daily(d);
    expect(code).toBe(0);
    expect(report.outcome).toBe('success');
    const after = d.refs();
    // before = as found (the remote-tracking ref before the fetch); after = what git says now.
    expect(report.shas.before).toMatchObject({ upstream: trackingBefore, trunk: before.trunk, mirror: before.mirror, forkTrunk: before.originTrunk });
    expect(report.shas.observed.upstream).toBe(upstreamNow);
    expect(report.shas.after).toMatchObject({ upstream: upstreamNow, trunk: after.trunk, mirror: after.mirror, forkTrunk: after.originTrunk });
    expect(after.trunk).not.toBe(before.trunk);
    // Upstream moved by 2 at the fetch; the trunk now contains those 2.
    expect(report.upstream.moved).toEqual({ count: 2, range: `${trackingBefore}..${upstreamNow}` });
    expect(report.upstream.absorbed.count).toBe(Number(git(d.fixture.clone, 'rev-list', '--count', `${before.mirror}..${upstreamNow}`)));
    // Old → new per patch, and the new ones are exactly the trunk's commits on top of upstream.
    const newQueue = patchesOn(d.fixture.clone, `${upstreamNow}..${after.trunk}`);
    expect(report.patches.queue.map((p: any) => `${p.sha} ${p.subject}`)).toEqual(oldQueue);
    expect(report.patches.queue.map((p: any) => `${p.newSha} ${p.subject}`)).toEqual(newQueue);
    // Pushed refs: what the fork remote now has, each with its lease.
    expect(report.pushed.map((p: any) => [p.ref, p.newSha])).toEqual([
      [`refs/heads/${d.fixture.mirror}`, after.originMirror],
      [`refs/heads/${d.fixture.trunk}`, after.originTrunk],
    ]);
    expect(report.pushed[1].expected).toBe(before.originTrunk);
    expect(report.pushed[1].command).toContain(`--force-with-lease=refs/heads/${d.fixture.trunk}:${before.originTrunk}`);
    // The envelope is small: it references the command log instead of inlining it.
    expect(json.data.commandLog).toBe(report.commands.log);
    expect(existsSync(json.data.commandLog)).toBe(true);
    expect(JSON.stringify(json).length).toBeLessThan(20_000);
    expect(report.commands).not.toHaveProperty('last');
    // The exclude line this run added is a reported side effect, and it is really there.
    expect(report.sideEffects.join('\n')).toMatch(/info\/exclude/);
    expect(readFileSync(join(d.fixture.clone, '.git', 'info', 'exclude'), 'utf8')).toContain('/.scratch/');
    // The runbook the report names exists in this install.
    expect(report.docs && existsSync(report.docs.runbook)).toBe(true);
    record('success', state, d);
  }, 120_000);

  it('no-change: nothing moves, nothing is absorbed or pushed', async () => {
    const d = track(day());
    const before = d.refs();
    const { code, report, state } = await daily(d);
    expect(code).toBe(0);
    expect(report.outcome).toBe('no-change');
    expect(d.refs()).toEqual(before);
    expect(report.shas.after.trunk).toBe(before.trunk);
    expect(report.upstream.moved).toEqual({ count: 0, range: `${before.upstream}..${before.upstream}` });
    expect(report.upstream.absorbed).toBeNull();
    expect(report.pushed).toEqual([]);
    expect(report.patches.queue.map((p: any) => p.sha)).toEqual(patchesOn(d.fixture.clone, `${before.mirror}..${before.trunk}`).map((l) => l.split(' ')[0]));
    record('no-change', state, d);
  }, 120_000);

  it('verify conflict: the conflicting patch, bounded hunks, the upstream commit with its author; nothing absorbed; commands with lock and lease', async () => {
    const d = track(
      day({
        patches: [{ files: { 'src/lib.txt': 'line 1\nfork line 2\nline 3\n' }, message: 'fork: change line 2' }],
        upstreamCommits: [{ files: { 'src/lib.txt': 'line 1\nupstream line 2\nline 3\n' }, message: 'upstream: change line 2\n\nBecause upstream needs it.' }],
      }),
    );
    const before = d.refs();
    const { code, report, state } = await daily(d);
    expect(code).toBe(10);
    expect(d.refs()).toEqual(before);
    expect(report.shas.after.trunk).toBe(before.trunk);
    expect(report.upstream.absorbed).toBeNull();
    expect(report.upstream.pending.count).toBe(1);
    const patch = patchesOn(d.fixture.clone, `${before.mirror}..${before.trunk}`)[0].split(' ')[0];
    expect(report.conflict.patch.sha).toBe(patch);
    expect(report.conflict.files).toEqual(['src/lib.txt']);
    const up = report.conflict.context.upstreamCommits[0];
    expect(up.sha).toBe(before.upstream);
    expect(up.author).toBe('Fixture Author <author@example.com>');
    expect(up.body).toBe('Because upstream needs it.');
    expect(report.conflict.context.hunks[0].patch).toContain('+fork line 2');
    expect(report.conflict.context.hunks[0].upstream).toContain('+upstream line 2');
    const actions = report.nextActions.join('\n');
    expect(actions).toContain(' lock --reason ');
    expect(actions).toContain(' unlock && ');
    expect(actions).toContain(`push --force-with-lease=refs/heads/${d.fixture.trunk}:${before.originTrunk} origin `);
    expect(actions).toMatch(/Runbook: \S+runbook\.md \(section "Exit 10: verify conflict"\)/);
    expect(existsSync(report.docs.runbook)).toBe(true);
    const summary = readFileSync(join(report.paths.dateDir, 'summary.md'), 'utf8');
    expect(summary).not.toMatch(/absorbed \d/);
    expect(summary).toContain('absorbed no upstream commit');
    record('verify-conflict', state, d);
  }, 120_000);

  it('dropped patch: upstream cherry-picked one of the queue; the report names it with that upstream commit', async () => {
    const d = track(
      day({
        patches: [
          { files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes' },
          { files: { 'src/fix.txt': 'the fix\n' }, message: 'fork: backport the fix' },
        ],
      }),
    );
    const before = d.refs();
    const fix = patchesOn(d.fixture.clone, `${before.mirror}..${before.trunk}`)[1].split(' ')[0];
    const upstreamFix = (() => {
      d.fixture.advanceUpstream([{ files: { 'src/fix.txt': 'the fix\n' }, message: 'upstream: the fix, merged' }]);
      return rev(d.fixture.upstreamWork, 'HEAD');
    })();
    const upstreamNow = d.fixture.advanceUpstream([{ files: { 'UP.md': 'more\n' }, message: 'upstream: more' }]);
    const { code, report, state } = await daily(d);
    expect(code).toBe(0);
    // git itself says the fix is already upstream (patch-id equal: `git cherry` marks it "-").
    expect(git(d.fixture.clone, 'cherry', upstreamNow, before.trunk)).toContain(`- ${fix}`);
    expect(report.patches.droppedUpstream).toEqual([
      { sha: fix, subject: 'fork: backport the fix', upstream: expect.objectContaining({ sha: upstreamFix, subject: 'upstream: the fix, merged', author: 'Fixture Author <author@example.com>' }) },
    ]);
    expect(report.patches.queue.map((p: any) => p.subject)).toEqual(['fork: add notes']);
    expect(patchesOn(d.fixture.clone, `${upstreamNow}..${d.refs().trunk}`).map((l) => l.slice(41))).toEqual(['fork: add notes']);
    record('dropped-upstream', state, d);
  }, 120_000);

  it('push blocked: the lease names what the fork has; nothing absorbed; the lease command carries the remote SHA', async () => {
    const d = track(day({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] }));
    const other = d.fixture.otherClone();
    git(other, 'checkout', '-q', d.fixture.trunk);
    writeFileSync(join(other, 'SOMEONE.md'), 'pushed by someone else\n');
    git(other, 'add', 'SOMEONE.md');
    git(other, 'commit', '-q', '-m', 'someone: concurrent push');
    const hook = join(d.fixture.clone, '.git', 'hooks', 'pre-push');
    writeFileSync(hook, `#!/bin/sh\nif [ ! -f "${other}/.pushed" ]; then touch "${other}/.pushed"; git -C "${other}" push -q origin ${d.fixture.trunk} >/dev/null 2>&1; fi\nexit 0\n`);
    chmodSync(hook, 0o755);
    const before = d.refs();
    const { code, report, state } = await daily(d);
    expect(code).toBe(12);
    const someone = rev(other, 'HEAD');
    expect(d.refs().originTrunk).toBe(someone);
    expect(report.lease).toMatchObject({ ref: `refs/heads/${d.fixture.trunk}`, expected: before.originTrunk, actual: someone });
    expect(report.shas.after.trunk).toBe(before.trunk);
    expect(report.upstream.absorbed).toBeNull();
    // One atomic publish: the refused trunk lease means nothing moved on the fork, the mirror included.
    expect(report.pushed).toEqual([]);
    expect(d.refs().originMirror).toBe(before.originMirror);
    expect(d.refs().mirror).toBe(before.mirror);
    expect(report.nextActions.join('\n')).toContain(`--force-with-lease=refs/heads/${d.fixture.trunk}:${someone} origin`);
    record('push-blocked', state, d);
  }, 120_000);

  it('validation failed: the failing test by name, the log file; nothing published, local refs back at their start', async () => {
    const crate = {
      'Cargo.toml': '[package]\nname = "demo"\nversion = "0.1.0"\nedition = "2021"\n',
      'src/lib.rs': 'pub fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn adds() {\n        assert_eq!(super::add(1, 2), 3);\n    }\n}\n',
    };
    const lockDir = makeTempDir('rd-lock-');
    homes.push(lockDir);
    for (const [p, c] of Object.entries(crate)) {
      mkdirSync(join(lockDir, p, '..'), { recursive: true });
      writeFileSync(join(lockDir, p), c);
    }
    execFileSync('cargo', ['generate-lockfile', '--offline'], { cwd: lockDir, stdio: 'ignore' });
    const base = { ...crate, 'Cargo.lock': readFileSync(join(lockDir, 'Cargo.lock'), 'utf8') };
    const targetDir = makeTempDir('rd-target-');
    homes.push(targetDir);
    const d = track(
      day(
        {
          base,
          patches: [{ files: { 'src/lib.rs': crate['src/lib.rs'].replace('assert_eq!(super::add(1, 2), 3);', 'assert_eq!(super::add(1, 2), 4);') }, message: 'fork: break a test' }],
          upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }],
        },
        { validate: { targetDir } },
      ),
    );
    const before = d.refs();
    const { code, report, state } = await daily(d);
    expect(code).toBe(14);
    const after = d.refs();
    expect(report.shas.after.trunk).toBe(after.trunk);
    // publish.when "after-validate": the failing trunk never reached the fork, and the local trunk
    // and mirror went back to where the run found them.
    expect(after.originTrunk).toBe(before.originTrunk);
    expect(after.trunk).toBe(before.trunk);
    expect(after.mirror).toBe(before.mirror);
    expect(report.pushed).toEqual([]);
    expect(report.upstream.absorbed).toBeNull();
    const actions = report.nextActions.join('\n');
    expect(actions).toContain('Failing: demo: tests::adds');
    expect(actions).not.toMatch(/already pushed/);
    const log = /Read the log: (\S+)/.exec(actions)?.[1];
    expect(log && readFileSync(log, 'utf8')).toContain('tests::adds');
    record('validation-failed', state, d);
  }, 300_000);

  it('graphite restack: every descendant listed with its tips before and after, as git has them', async () => {
    const home = makeTempDir('rd-gt-home-');
    homes.push(home);
    const savedHome = process.env.HOME;
    process.env.HOME = home;
    process.env.GRAPHITE_DISABLE_TELEMETRY = '1';
    process.env.GRAPHITE_DISABLE_UPGRADE_PROMPT = '1';
    try {
      const d = track(day({}, { graphite: { onSyncFailure: 'continue' } }));
      const { initGraphiteStack } = await import('@rebase-daily/graphite/testing');
      initGraphiteStack(d.fixture.clone, d.fixture.trunk, [
        { name: 'feat-a', parent: d.fixture.trunk, files: { 'a.txt': 'a\n' } },
        { name: 'feat-b', parent: 'feat-a', files: { 'b.txt': 'b\n' } },
      ]);
      const tipsBefore = { a: rev(d.fixture.clone, 'feat-a'), b: rev(d.fixture.clone, 'feat-b') };
      d.fixture.advanceUpstream([{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }]);
      const { code, report, state } = await daily(d);
      expect(code, JSON.stringify(report.errors)).toBe(0);
      const trunk = d.refs().trunk;
      const tipsAfter = { a: rev(d.fixture.clone, 'feat-a'), b: rev(d.fixture.clone, 'feat-b') };
      expect(git(d.fixture.clone, 'merge-base', '--is-ancestor', trunk, tipsAfter.a)).toBe('');
      expect(git(d.fixture.clone, 'merge-base', '--is-ancestor', tipsAfter.a, tipsAfter.b)).toBe('');
      expect(report.graphite.restacked.sort()).toEqual(['feat-a', 'feat-b']);
      expect(report.graphite.descendants).toEqual([
        { branch: 'feat-a', parent: d.fixture.trunk, before: tipsBefore.a, after: tipsAfter.a, restacked: true },
        { branch: 'feat-b', parent: 'feat-a', before: tipsBefore.b, after: tipsAfter.b, restacked: true },
      ]);
      record('graphite-restack', state, d);
    } finally {
      process.env.HOME = savedHome;
    }
  }, 300_000);

  it('lock taken: a manual hold refuses the run, which touches nothing and names the holder', async () => {
    const d = track(day({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] }));
    const held = await cli(['lock', '--config', d.configPath, '--reason', 'resolving patch 1']);
    expect(held.code).toBe(0);
    const before = d.refs();
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.code).toBe(15);
    expect(d.refs()).toEqual(before);
    const state = stateOf(d, r.json.data.runId);
    expect(state.lock.holder).toMatchObject({ manual: { reason: 'resolving patch 1' } });
    expect(r.json.data.decision.nextActions.join('\n')).toContain(' unlock`');
    record('lock-taken', state, d);
    await cli(['unlock', '--config', d.configPath]);
  }, 120_000);

  it('partial (onConflict advance): the trunk moved to the last clean upstream commit, pushed there; the conflict named; the rest left', async () => {
    const d = track(
      day(
        {
          patches: [{ files: { 'src/lib.txt': 'line 1\nfork line 2\nline 3\n' }, message: 'fork: change line 2' }],
          upstreamCommits: [],
        },
        { onConflict: 'advance' },
      ),
    );
    const before = d.refs();
    d.fixture.advanceUpstream([{ files: { 'UP.md': 'clean\n' }, message: 'upstream: clean docs' }]);
    const clean = rev(d.fixture.upstreamWork, 'HEAD');
    const upstreamNow = d.fixture.advanceUpstream([{ files: { 'src/lib.txt': 'line 1\nupstream line 2\nline 3\n' }, message: 'upstream: change line 2' }]);
    const { code, report, state } = await daily(d);
    expect(code, JSON.stringify(report.errors)).toBe(16);
    expect(report.outcome).toBe('partial');
    const after = d.refs();
    // git: the trunk now sits on the clean upstream commit, not on the conflicting one.
    expect(git(d.fixture.clone, 'merge-base', '--is-ancestor', clean, after.trunk)).toBe('');
    expect(() => git(d.fixture.clone, 'merge-base', '--is-ancestor', upstreamNow, after.trunk)).toThrow();
    expect(after.mirror).toBe(clean);
    expect(report.shas.before).toMatchObject({ trunk: before.trunk, mirror: before.mirror, forkTrunk: before.originTrunk });
    expect(report.shas.after).toMatchObject({ trunk: after.trunk, mirror: after.mirror, forkTrunk: after.originTrunk });
    expect(report.upstream.absorbed.count).toBe(Number(git(d.fixture.clone, 'rev-list', '--count', `${before.mirror}..${clean}`)));
    expect(report.pushed.map((p: any) => [p.ref, p.newSha])).toEqual([
      [`refs/heads/${d.fixture.mirror}`, after.originMirror],
      [`refs/heads/${d.fixture.trunk}`, after.originTrunk],
    ]);
    expect(after.originTrunk).toBe(after.trunk);
    expect(report.conflict.files).toEqual(['src/lib.txt']);
    expect(report.conflict.patch.sha).toBe(patchesOn(d.fixture.clone, `${before.mirror}..${before.trunk}`)[0].split(' ')[0]);
    expect(report.conflict.context.upstreamCommits.map((c: any) => c.sha)).toContain(upstreamNow);
    expect(report.nextActions.join('\n')).toMatch(/Partial day/);
    record('partial', state, d);
  }, 120_000);

  it('apply conflict: apply on its own, trusting a stale clean verify; nothing moved; the conflict with its bounded context', async () => {
    const d = track(
      day({
        patches: [{ files: { 'src/lib.txt': 'line 1\nfork line 2\nline 3\n' }, message: 'fork: change line 2' }],
        upstreamCommits: [{ files: { 'src/lib.txt': 'line 1\nupstream line 2\nline 3\n' }, message: 'upstream: change line 2\n\nBecause upstream needs it.' }],
      }),
    );
    const before = d.refs();
    // apply run on its own trusts the last clean verify: plant one that (wrongly) says clean, as a
    // verify by another engine or a stale pin would.
    const scratch = join(d.fixture.clone, '.scratch', 'rebase-daily');
    mkdirSync(scratch, { recursive: true });
    writeFileSync(
      join(scratch, 'last-verify.json'),
      JSON.stringify({ upstream: before.upstream, trunk: before.trunk, forkTrunk: before.originTrunk, mirror: before.mirror, forkMirror: before.originMirror, verifiedAt: new Date().toISOString(), runId: 'planted', clean: true }),
    );
    const r = await cli(['apply', '--config', d.configPath, '--json']);
    expect(r.code).toBe(11);
    const report = d.report();
    const state = stateOf(d, report.runId);
    expect(report.outcome).toBe('apply-conflict');
    expect(d.refs()).toEqual(before);
    expect(d.clean()).toBe(true);
    expect(report.shas.after).toMatchObject({ trunk: before.trunk, mirror: before.mirror, forkTrunk: before.originTrunk });
    expect(report.pushed).toEqual([]);
    expect(report.upstream.absorbed).toBeNull();
    expect(report.conflict).toMatchObject({ stage: 'apply', files: ['src/lib.txt'], patch: { sha: before.trunk, subject: 'fork: change line 2' } });
    const up = report.conflict.context.upstreamCommits[0];
    expect(up).toMatchObject({ sha: before.upstream, author: git(d.fixture.clone, 'log', '-1', '--format=%an <%ae>', before.upstream), body: 'Because upstream needs it.' });
    expect(report.conflict.context.hunks[0].patch).toContain('+fork line 2');
    expect(report.conflict.context.hunks[0].upstream).toContain('+upstream line 2');
    record('apply-conflict', state, d);
  }, 120_000);

  it('graphite failed: a real gt restack conflict on a descendant; the trunk never reached the fork; the descendant is where it was', async () => {
    const home = makeTempDir('rd-gt-home-');
    homes.push(home);
    const savedHome = process.env.HOME;
    process.env.HOME = home;
    process.env.GRAPHITE_DISABLE_TELEMETRY = '1';
    process.env.GRAPHITE_DISABLE_UPGRADE_PROMPT = '1';
    try {
      const d = track(day({}, { graphite: { onSyncFailure: 'continue' } }));
      const { initGraphiteStack } = await import('@rebase-daily/graphite/testing');
      initGraphiteStack(d.fixture.clone, d.fixture.trunk, [{ name: 'feat-a', parent: d.fixture.trunk, files: { 'src/lib.txt': 'line 1\nfeature line 2\nline 3\n' } }]);
      const tipBefore = rev(d.fixture.clone, 'feat-a');
      d.fixture.advanceUpstream([{ files: { 'src/lib.txt': 'line 1\nupstream line 2\nline 3\n' }, message: 'upstream: change line 2' }]);
      const before = d.refs();
      const { code, report, state } = await daily(d);
      expect(code, JSON.stringify(report.errors)).toBe(13);
      expect(report.outcome).toBe('graphite-failed');
      const after = d.refs();
      // publish.when "after-validate": nothing reached the fork; the descendant did not move.
      expect(after.originTrunk).toBe(before.originTrunk);
      expect(after.originMirror).toBe(before.originMirror);
      expect(report.pushed).toEqual([]);
      expect(rev(d.fixture.clone, 'feat-a')).toBe(tipBefore);
      expect(d.clean()).toBe(true);
      expect(report.shas.after).toMatchObject({ trunk: after.trunk, mirror: after.mirror, forkTrunk: after.originTrunk });
      expect(report.graphite.restacked).toEqual([]);
      expect(report.graphite.descendants.map((x: any) => [x.branch, x.before])).toEqual([['feat-a', tipBefore]]);
      const align = report.stages.find((s: any) => s.name === 'align');
      expect(align.status).toBe('failed');
      expect(align.summary).toMatch(/feat-a/);
      // Nothing reached the fork: the next actions must not say the trunk was pushed.
      expect(report.nextActions.join('\n')).not.toMatch(/already pushed/);
      record('graphite-failed', state, d);
    } finally {
      process.env.HOME = savedHome;
    }
  }, 300_000);

  it('interrupted (SIGTERM during publish): nothing reached the fork, local refs back; the report says interrupted by SIGTERM', async () => {
    const d = track(day({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] }));
    const marker = join(d.fixture.root, 'pre-push.started');
    const hook = join(d.fixture.clone, '.git', 'hooks', 'pre-push');
    writeFileSync(hook, `#!/bin/sh\ntouch "${marker}"\nsleep 30\n`);
    chmodSync(hook, 0o755);
    const before = d.refs();
    const run = spawnCli(['daily', '--config', d.configPath, '--json']);
    for (const t0 = Date.now(); !existsSync(marker); ) {
      if (Date.now() - t0 > 90_000) throw new Error('the publish push never started');
      await new Promise((r) => setTimeout(r, 50));
    }
    run.child.kill('SIGTERM');
    const { code } = await run.done;
    expect(code).toBe(143);
    const report = d.report();
    const state = stateOf(d, report.runId);
    expect(report.outcome).toBe('interrupted');
    expect(report.stoppedBy).toBe('publish');
    expect(JSON.stringify(report.errors)).toMatch(/SIGTERM/);
    expect(report.errors.map((e: any) => e.code)).toContain('E_INTERRUPTED');
    const after = d.refs();
    expect(after).toEqual(before);
    expect(d.clean()).toBe(true);
    expect(report.pushed).toEqual([]);
    expect(report.shas.after).toMatchObject({ trunk: before.trunk, mirror: before.mirror, forkTrunk: before.originTrunk });
    expect(report.stages.find((s: any) => s.name === 'publish').status).toBe('failed');
    record('interrupted', state, d);
  }, 180_000);

  it('error (dirty tree refused at preflight): exit 1, one error with its code, nothing touched', async () => {
    const d = track(day({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] }));
    writeFileSync(join(d.fixture.clone, 'FORK.md'), 'uncommitted edit\n');
    const status = git(d.fixture.clone, 'status', '--porcelain');
    const before = d.refs();
    const { code, report, state } = await daily(d);
    expect(code).toBe(1);
    expect(report.outcome).toBe('error');
    expect(report.errors.map((e: any) => e.code)).toEqual(['E_DIRTY_TREE']);
    expect(d.refs()).toEqual(before);
    expect(git(d.fixture.clone, 'status', '--porcelain')).toBe(status);
    expect(report.pushed).toEqual([]);
    // Refused before the baseline snapshot: the report claims no SHA and no upstream movement it did
    // not observe, and every stage is skipped (only the report ran).
    expect(report.shas).toEqual({ before: { upstream: null, mirror: null, trunk: null, forkTrunk: null }, observed: null, after: { upstream: null, mirror: null, trunk: null, forkTrunk: null } });
    expect(report.upstream).toEqual({ moved: null, pending: null, absorbed: null });
    expect(report.stages.filter((s: any) => s.status !== 'skipped').map((s: any) => s.name)).toEqual(['report']);
    expect(report.errors[0].message).toMatch(/FORK\.md/);
    record('error', state, d);
  }, 120_000);

  it('a day with several runs: the date folder summary lists each run with its outcome and a link', async () => {
    const d = track(day());
    await cli(['daily', '--config', d.configPath]);
    await cli(['verify', '--config', d.configPath]);
    const report = d.report();
    const summary = readFileSync(join(report.paths.dateDir, 'summary.md'), 'utf8');
    const runs = summary.slice(summary.indexOf('## Runs of the day'));
    expect(runs.match(/^\| 20/gm)?.length).toBe(2);
    expect(runs).toContain('| daily | no-change (exit 0) |');
    expect(runs).toContain('| verify | success (exit 0) |');
    for (const link of [...runs.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1])) expect(existsSync(join(report.paths.dateDir, link))).toBe(true);
  }, 120_000);

  it('status: latest.ok is false after a failed day, true after a good one', async () => {
    const d = track(
      day({
        patches: [{ files: { 'src/lib.txt': 'line 1\nfork line 2\nline 3\n' }, message: 'fork: change line 2' }],
        upstreamCommits: [{ files: { 'src/lib.txt': 'line 1\nupstream line 2\nline 3\n' }, message: 'upstream: change line 2' }],
      }),
    );
    await cli(['daily', '--config', d.configPath]);
    const s = await cli(['status', '--config', d.configPath, '--json']);
    expect(s.json.data.latest).toMatchObject({ readable: true, ok: false, outcome: 'verify-conflict', exitCode: 10 });
    // The decision stays within its 4 KB budget; status adds the lock, the unfinished run and the history line around it.
    expect(JSON.stringify(s.json.data.latest.decision).length).toBeLessThanOrEqual(4_096);
    expect(JSON.stringify(s.json).length).toBeLessThan(5_000);
  }, 120_000);
});
