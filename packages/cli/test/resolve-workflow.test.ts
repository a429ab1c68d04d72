import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ResolveReportSchema, ResolveViewSchema } from '@rebase-daily/core';
import { git } from '@rebase-daily/core/testing';
import { cli, day, type Day } from './helpers.js';

// The resolve workflow around the engine (issue 20): the retry exit code (17), the hunk-scope check
// and the escalation gates of finish (18, `--accept <gate> --reason`), `resolve fixup|edit`, and the
// two-patch day with real cargo. Real repositories with bare remotes, real git, real cargo; nothing mocked.
let d: Day | undefined;
afterEach(() => d?.fixture.cleanup());

const rd = (dd: Day, ...args: string[]) => cli([...args, '--config', dd.configPath, '--json']);
const stage = (wt: string, path: string, content: string) => {
  writeFileSync(join(wt, path), content);
  git(wt, 'add', '--', path);
};
const noValidate = ['--no-validate', '--reason', 'fixture without tests'];

const LIB = 'src/lib.txt';
const LICENSED = ['// SPDX-License-Identifier: MIT', 'a', 'b', 'c', 'd', 'e', 'line 2', 'f', ''].join('\n');

/** One patch editing `line 2` of a licensed file and adding a second file that merges cleanly; upstream edits `line 2` too. */
function conflictWithCleanFile(): Day {
  return day({
    base: { [LIB]: LICENSED, 'src/other.txt': 'x\ny\n' },
    patches: [{ files: { [LIB]: LICENSED.replace('line 2', 'line 2 fork'), 'src/other.txt': 'x fork\ny\n' }, message: 'fork: line 2 and other' }],
    upstreamCommits: [{ files: { [LIB]: LICENSED.replace('line 2', 'line 2 upstream') }, message: 'upstream: line 2' }],
  });
}

describe('resolve: exit 17 (not ready yet, fix and retry)', () => {
  it('nothing started, markers left, queue not replayed: each exits 17 and changes nothing; the fix makes the same command succeed', async () => {
    d = conflictWithCleanFile();
    const none = await rd(d, 'resolve', 'continue');
    expect([none.code, none.json.outcome, none.json.errors[0].code]).toEqual([17, 'not-ready', 'E_RESOLVE_NONE']);
    const start = await rd(d, 'resolve', 'start');
    const wt = start.json.data.worktree;
    const before = d.refs();
    const early = await rd(d, 'resolve', 'finish', ...noValidate);
    expect([early.code, early.json.errors[0].code]).toEqual([17, 'E_RESOLVE_NOT_REPLAYED']);
    git(wt, 'add', '--', LIB);
    const markers = await rd(d, 'resolve', 'continue');
    expect([markers.code, markers.json.outcome, markers.json.errors[0].code]).toEqual([17, 'not-ready', 'E_RESOLVE_MARKERS']);
    expect(d.refs()).toEqual(before);
    stage(wt, LIB, LICENSED.replace('line 2', 'line 2 upstream fork'));
    expect((await rd(d, 'resolve', 'continue')).code).toBe(0);
  });
});

describe('resolve: the hunk-scope check and the escalation gates of finish', () => {
  it('a patch whose other file merges cleanly: no warning, no gate, finish publishes (exit 0)', async () => {
    d = conflictWithCleanFile();
    const wt = (await rd(d, 'resolve', 'start')).json.data.worktree;
    stage(wt, LIB, LICENSED.replace('line 2', 'line 2 upstream fork'));
    const cont = await rd(d, 'resolve', 'continue');
    expect(cont.json.data.warnings).toEqual([]);
    const fin = await rd(d, 'resolve', 'finish', ...noValidate);
    expect(fin.code, JSON.stringify(fin.json.errors)).toBe(0);
    const report = ResolveReportSchema.parse(fin.json.data.report);
    expect(report.gates).toEqual([]);
    expect(report.stops[0]).toMatchObject({ resolvedFiles: [LIB, 'src/other.txt'], outsideHunks: [] });
  });

  it('an out-of-hunk edit (the licence line) in the conflicted file: warned, finish holds at the gate (exit 18, nothing moved) until accepted by name with a reason (recorded)', async () => {
    d = conflictWithCleanFile();
    const wt = (await rd(d, 'resolve', 'start')).json.data.worktree;
    stage(wt, LIB, LICENSED.replace('line 2', 'line 2 upstream fork').replace('MIT', 'Apache-2.0'));
    const cont = await rd(d, 'resolve', 'continue');
    expect(cont.json.data.warnings).toEqual([expect.stringMatching(/changes src\/lib\.txt outside the conflicting hunks \(1 change\(s\) outside the conflicting hunks: line 1: -\/\/ SPDX-License-Identifier: MIT \| \+\/\/ SPDX-License-Identifier: Apache-2\.0\); escalation gate "outside-hunks"/)]);
    const before = d.refs();
    const held = await rd(d, 'resolve', 'finish', ...noValidate);
    expect(held.code).toBe(18);
    expect([held.json.outcome, held.json.errors[0].code]).toEqual(['gate-held', 'E_RESOLVE_GATE']);
    expect(held.json.errors[0].message).toMatch(/--accept outside-hunks --reason TEXT/);
    expect(held.json.data.report.gates).toEqual([{ name: 'outside-hunks', detail: expect.stringMatching(/patch 1 "fork: line 2 and other": src\/lib\.txt/), accepted: null }]);
    expect(d.refs()).toEqual(before);
    const status = ResolveViewSchema.parse((await rd(d, 'resolve', 'status')).json.data);
    expect(status.next.join('\n')).toMatch(/resolve finish --config .* --accept outside-hunks --reason/);
    // An unknown gate, or --accept without --reason: usage errors (exit 2), nothing recorded.
    expect((await rd(d, 'resolve', 'finish', '--accept', 'licence', '--reason', 'x', ...noValidate.slice(0, 1))).code).toBe(2);
    expect((await rd(d, 'resolve', 'finish', '--no-validate', '--accept', 'outside-hunks')).code).toBe(2);
    const fin = await rd(d, 'resolve', 'finish', '--no-validate', '--accept', 'outside-hunks', '--reason', 'ada: the licence change is upstream policy');
    expect(fin.code, JSON.stringify(fin.json.errors)).toBe(0);
    const report = ResolveReportSchema.parse(JSON.parse(readFileSync(fin.json.data.reportPath, 'utf8')));
    expect(report.gates).toEqual([{ name: 'outside-hunks', detail: expect.any(String), accepted: { reason: 'ada: the licence change is upstream policy', by: expect.any(String), at: expect.any(String) } }]);
    expect(readFileSync(fin.json.data.summaryPath, 'utf8')).toMatch(/outside-hunks: accepted by .* — ada: the licence change is upstream policy/);
  });
});

describe('help resolve', () => {
  it('explains the steps in order with their exit codes', async () => {
    const help = (await cli(['help', 'resolve'])).stdout;
    const at = ['start', 'continue', 'fixup <patch>', 'edit <patch>', 'finish', 'abort', 'status'].map((s) => help.search(new RegExp(`^  \\d\\. ${s.replace(/[<>]/g, '\\$&')} `, 'm')));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((x, y) => x - y)).toEqual(at);
    expect(help).toMatch(/18 gate held → --accept <gate> --reason/);
    expect(help).toMatch(/--accept GATE/);
  });
});

describe('resolve edit', () => {
  it('stops at the patch, continue amends it and replays the rest; the report attributes the change to that patch', async () => {
    d = conflictWithCleanFile();
    const wt = (await rd(d, 'resolve', 'start')).json.data.worktree;
    stage(wt, LIB, LICENSED.replace('line 2', 'line 2 upstream fork'));
    await rd(d, 'resolve', 'continue');
    const empty = await rd(d, 'resolve', 'fixup', '1');
    expect([empty.code, empty.json.errors[0].code]).toEqual([17, 'E_RESOLVE_NOTHING_STAGED']);
    const unknown = await rd(d, 'resolve', 'edit', '7');
    expect([unknown.code, unknown.json.errors[0].code]).toEqual([2, 'E_RESOLVE_NO_PATCH']);
    const edit = await rd(d, 'resolve', 'edit', '1');
    expect(edit.code, JSON.stringify(edit.json.errors)).toBe(0);
    expect(edit.json.data).toMatchObject({ phase: 'editing', editing: { position: 1, subject: 'fork: line 2 and other' }, rebaseInProgress: true });
    expect(edit.json.data.next.join('\n')).toMatch(/resolve continue .*amends patch 1/);
    stage(wt, 'src/other.txt', 'x fork, edited\ny\n');
    const cont = await rd(d, 'resolve', 'continue');
    expect(cont.json.data).toMatchObject({ phase: 'replayed', rebaseInProgress: false });
    const fin = await rd(d, 'resolve', 'finish', ...noValidate);
    expect(fin.code, JSON.stringify(fin.json.errors)).toBe(0);
    const after = d.refs();
    expect(git(d.fixture.clone, 'show', `${after.originTrunk}:src/other.txt`)).toBe('x fork, edited\ny');
    expect(git(d.fixture.clone, 'rev-list', '--count', `${after.upstream}..${after.originTrunk}`)).toBe('1');
    expect(fin.json.data.report.rewrites).toMatchObject([{ kind: 'edit', position: 1, subject: 'fork: line 2 and other', files: ['src/other.txt'] }]);
  });

  it('refuses while the replay is stopped on a conflict (17), and names an unknown patch (2)', async () => {
    d = conflictWithCleanFile();
    await rd(d, 'resolve', 'start');
    const early = await rd(d, 'resolve', 'fixup', '1');
    expect([early.code, early.json.errors[0].code]).toEqual([17, 'E_RESOLVE_NOT_EDITABLE']);
    expect((await rd(d, 'resolve', 'edit')).code).toBe(2);
  });
});

// The two-patch day: upstream renames `greet` (which the clean patch P1 calls) and edits the
// line patch P2 changes. P1 replays cleanly and breaks the build; P2 conflicts. Real cargo.
const CARGO = '[package]\nname = "hello-core"\nversion = "0.1.0"\nedition = "2021"\n\n[lib]\npath = "src/lib.rs"\n';
const LIB_RS = (name: string, fn: string) => `pub mod extra;\n\npub const NAME: &str = "${name}";\n\n// spacer one\n// spacer two\n// spacer three\n\npub fn ${fn}() -> String {\n    format!("hi {}", NAME)\n}\n`;
const EXTRA_RS = (body: string) => `pub fn extra() -> usize {\n    ${body}\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn extra_counts() {\n        assert!(super::extra() > 0);\n    }\n}\n`;

describe('the two-patch day through the prompt\'s commands (real cargo)', () => {
  it('start → resolve hunk → continue → finish (14, names the crate) → resolve fixup on P1 → finish (0); the published trunk passes cargo test', async () => {
    d = day(
      {
        base: { 'Cargo.toml': CARGO, '.gitignore': '/target\n', 'src/lib.rs': LIB_RS('base', 'greet'), 'src/extra.rs': EXTRA_RS('1') },
        patches: [
          { files: { 'src/extra.rs': EXTRA_RS('crate::greet().len()') }, message: 'P1: extra counts the greeting' },
          { files: { 'src/lib.rs': LIB_RS('fork', 'greet') }, message: 'P2: the fork has its own name' },
        ],
        upstreamCommits: [{ files: { 'src/lib.rs': LIB_RS('upstream', 'salute') }, message: 'upstream: rename greet to salute, new name' }],
      },
      { conflicts: { owner: 'agent' }, validate: { format: false, targetDir: join(process.env.CARGO_TARGET_DIR ?? '/tmp', 'rebase-daily-h20-two-patch-day') } },
    );
    const prompt = (await cli(['prompt', '--config', d.configPath])).stdout;
    for (const step of ['resolve start', 'resolve continue', 'resolve finish', 'resolve fixup', 'resolve edit', 'resolve status']) expect(prompt).toContain(`rebase-daily ${step}`);

    expect((await rd(d, 'daily')).code).toBe(10);
    const start = await rd(d, 'resolve', 'start', '--authorised-by', 'ada');
    expect(start.json.data).toMatchObject({ phase: 'conflict', position: 2, filesInConflict: ['src/lib.rs'] });
    const wt = start.json.data.worktree;
    stage(wt, 'src/lib.rs', LIB_RS('upstream-fork', 'salute'));
    const cont = await rd(d, 'resolve', 'continue');
    expect(cont.json.data).toMatchObject({ phase: 'replayed', warnings: [] });

    const failed = await rd(d, 'resolve', 'finish');
    expect([failed.code, failed.json.outcome]).toEqual([14, 'validation-failed']);
    expect(d.refs().originTrunk).toBe(d.refs().trunk);
    const status = ResolveViewSchema.parse((await rd(d, 'resolve', 'status')).json.data);
    expect(status.lastFinish?.validation?.summary).toMatch(/compile error in hello-core/);
    expect(status.next.join('\n')).toMatch(/resolve fixup <patch>/);
    expect(status.next.join('\n')).toMatch(/resolve edit <patch>/);

    stage(wt, 'src/extra.rs', EXTRA_RS('crate::salute().len()'));
    const fixup = await rd(d, 'resolve', 'fixup', '1');
    expect(fixup.code, JSON.stringify(fixup.json.errors)).toBe(0);
    expect(fixup.json.data).toMatchObject({ phase: 'replayed', rebaseInProgress: false });

    const fin = await rd(d, 'resolve', 'finish');
    expect(fin.code, JSON.stringify(fin.json.errors)).toBe(0);
    const after = d.refs();
    expect(after.originTrunk).toBe(after.trunk);
    const report = ResolveReportSchema.parse(fin.json.data.report);
    expect(report.rewrites).toMatchObject([{ kind: 'fixup', position: 1, subject: 'P1: extra counts the greeting', files: ['src/extra.rs'] }]);
    expect(report.patches.map((p) => [p.status, p.subject])).toEqual([
      ['changed', 'P1: extra counts the greeting'],
      ['changed', 'P2: the fork has its own name'],
    ]);
    expect(report.patches[0].diff).toMatch(/salute/);
    // Two patches on upstream, in order; P1 alone already builds (the fix is in P1, not in P2's resolution).
    expect(git(d.fixture.clone, 'log', '--format=%s', `${after.upstream}..${after.trunk}`).split('\n')).toEqual(['P2: the fork has its own name', 'P1: extra counts the greeting']);
    expect(git(d.fixture.clone, 'show', `${after.trunk}~1:src/extra.rs`)).toContain('crate::salute()');
    const env = { ...process.env, CARGO_TARGET_DIR: join(process.env.CARGO_TARGET_DIR ?? '/tmp', 'rebase-daily-h20-two-patch-day') };
    execFileSync('cargo', ['test', '--offline', '--quiet'], { cwd: d.fixture.clone, env, stdio: 'pipe' });
    expect(existsSync(wt)).toBe(false);
  }, 240_000);
});

/** The commands a next-action line gives in backticks (`rebase-daily …`), as argv (single quotes as the report writes them). */
function commandsOf(actions: string[]): string[][] {
  const out: string[][] = [];
  for (const a of actions) {
    for (const m of a.matchAll(/`(rebase-daily [^`]+)`/g)) {
      if (m[1].includes('&&')) continue;
      const argv = [...m[1].matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((w) => (w[1] !== undefined ? w[1].replace(/'\\''/g, "'") : w[2]));
      out.push(argv.slice(1));
    }
  }
  return out;
}

describe('next actions on an agent-owned fork are commands that work in that state', () => {
  it('exit 10 says `resolve start` (never a manual rebase or push); during the resolve hold exit 15 says resolve status|finish|abort (never unlock); each runs', async () => {
    d = day(
      {
        base: { [LIB]: 'line 1\nline 2\nline 3\n' },
        patches: [{ files: { [LIB]: 'line 1\nline 2 fork\nline 3\n' }, message: 'fork: change line 2' }],
        upstreamCommits: [{ files: { [LIB]: 'line 1\nline 2 upstream\nline 3\n' }, message: 'upstream: change line 2' }],
      },
      { conflicts: { owner: 'agent' }, validate: { format: false, test: ['true'] } },
    );
    const daily = await rd(d, 'daily');
    expect(daily.code).toBe(10);
    // The envelope is the decision (under 4 KB); the full report is in its file and in `status --json --full`.
    expect(Buffer.byteLength(daily.stdout)).toBeLessThan(4096);
    expect(daily.json.data).toMatchObject({ reportPath: expect.any(String), decision: { outcome: 'verify-conflict', exitCode: 10, conflict: { patch: { subject: 'fork: change line 2' }, files: [LIB] } } });
    expect(daily.json.data.report).toBeUndefined();
    const full = await rd(d, 'status', '--full');
    expect(full.json.data.latest.report).toEqual(JSON.parse(readFileSync(daily.json.data.reportPath, 'utf8')));
    expect((await rd(d, 'status')).json.data.latest.report).toBeUndefined();
    const actions10: string[] = daily.json.data.decision.nextActions;
    expect(actions10.join('\n')).not.toMatch(/git -C \S+ rebase|push --force-with-lease|rebase-daily[^`]* unlock/);
    const cmds10 = commandsOf(actions10);
    expect(cmds10.map((c) => c.filter((w) => !w.startsWith('-') && !w.includes('/') && !w.startsWith('<')).join(' '))).toEqual(expect.arrayContaining(['resolve start', 'resolve status']));
    const start = cmds10.find((c) => c.includes('start'))!;
    const started = await cli(start.map((w) => (w === '<who authorised it>' ? 'the test' : w)));
    expect(started.code, started.stderr).toBe(0);

    const held = await rd(d, 'daily');
    expect(held.code).toBe(15);
    const actions15: string[] = held.json.data.decision.nextActions;
    expect(actions15.join('\n')).not.toMatch(/unlock/);
    const cmds15 = commandsOf(actions15);
    const words = cmds15.map((c) => c.filter((w) => ['resolve', 'status', 'finish', 'abort', 'daily'].includes(w)).join(' '));
    expect(words).toEqual(['resolve status', 'resolve finish', 'resolve abort', 'daily']);
    // Each works in this state: status reads it, finish says "not ready yet" (17: the conflict is open), abort ends the hold, daily then runs again.
    const codes = [];
    for (const c of cmds15) codes.push((await cli(c)).code);
    expect(codes).toEqual([0, 17, 0, 10]);
  });
});
