import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '@rebase-daily/core/testing';
import { cli, day, type Day } from './helpers.js';

// History and dashboard end to end: real daily runs on a generated fork (bare remotes by file
// path), then the ledger's facts checked against git itself.
let days: Day[] = [];
afterEach(() => {
  for (const d of days) d.fixture.cleanup();
  days = [];
});

const DAY = 86_400_000;
const ledgerOf = (d: Day) => join(d.fixture.clone, '.scratch', 'rebase-daily', 'history.jsonl');
const linesOf = (d: Day) => readFileSync(ledgerOf(d), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

/** Upstream commits committed `daysAgo` days ago (the committer date is what "days behind" measures). */
function upstreamAt(d: Day, daysAgo: number, commits: { files: Record<string, string | null>; message: string }[]): string {
  const when = new Date(Date.now() - daysAgo * DAY).toISOString();
  const saved = { a: process.env.GIT_AUTHOR_DATE, c: process.env.GIT_COMMITTER_DATE };
  process.env.GIT_AUTHOR_DATE = when;
  process.env.GIT_COMMITTER_DATE = when;
  try {
    return d.fixture.advanceUpstream(commits);
  } finally {
    if (saved.a === undefined) delete process.env.GIT_AUTHOR_DATE;
    else process.env.GIT_AUTHOR_DATE = saved.a;
    if (saved.c === undefined) delete process.env.GIT_COMMITTER_DATE;
    else process.env.GIT_COMMITTER_DATE = saved.c;
  }
}

function make(extra: Record<string, unknown> = {}): Day {
  const d = day({ patches: [{ files: { 'FORK.md': 'fork notes\n' }, message: 'fork: add notes' }, { files: { 'src/lib.txt': 'line 1\nline 2 (fork)\nline 3\n' }, message: 'fork: tweak lib' }] }, extra);
  days.push(d);
  return d;
}

describe('history ledger: facts of real runs, checked against git', () => {
  it('a clean day, then a conflict day: one whole line each, every fact as git sees it', async () => {
    const d = make();
    const trunk0 = git(d.fixture.clone, 'rev-parse', d.fixture.trunk);
    const up0 = git(d.fixture.clone, 'rev-parse', `upstream/${d.fixture.upstreamBranch}`);
    const up1 = upstreamAt(d, 5, [{ files: { 'UPSTREAM.md': 'a\n' }, message: 'upstream: a' }]);
    upstreamAt(d, 2, [{ files: { 'docs.md': 'b\n' }, message: 'upstream: b' }]);
    const up2 = git(d.fixture.upstreamWork, 'rev-parse', 'HEAD');
    expect((await cli(['daily', '--config', d.configPath])).code).toBe(0);

    const [first] = linesOf(d);
    const trunk1 = git(d.fixture.clone, 'rev-parse', d.fixture.trunk);
    expect(first).toMatchObject({ v: 1, kind: 'run', event: 'finish', command: 'daily', outcome: 'success', exitCode: 0, conflict: null, dropped: 0 });
    expect(first.shas).toEqual({ before: { upstream: up0, trunk: trunk0 }, after: { upstream: up2, trunk: trunk1 } });
    expect(first.upstreamAbsorbed).toBe(Number(git(d.fixture.clone, 'rev-list', '--count', `${trunk0}..${up2}`)));
    expect(first.queueSize).toBe(Number(git(d.fixture.clone, 'rev-list', '--count', `${up2}..${trunk1}`)));
    // Oldest upstream commit the old trunk lacked: up1, committed five days ago.
    const oldest = Number(git(d.fixture.clone, 'log', '-1', '--format=%ct', up1)) * 1000;
    expect(first.daysBehind.before).toBeCloseTo((new Date(first.startedAt).getTime() - oldest) / DAY, 1);
    expect(first.daysBehind.before).toBeGreaterThan(4.9);
    expect(first.daysBehind.after).toBe(0);
    expect(Object.keys(first.stages)).toEqual(expect.arrayContaining(['verify', 'apply', 'publish']));

    // Upstream rewrites the line the second patch changed: a conflict; the trunk stays.
    const up3 = upstreamAt(d, 1, [{ files: { 'src/lib.txt': 'line 1\nline 2 (upstream)\nline 3\n' }, message: 'upstream: rewrite lib' }]);
    const r = await cli(['daily', '--config', d.configPath]);
    expect(r.code).toBe(10);
    const lines = linesOf(d);
    expect(lines).toHaveLength(2);
    const second = lines[1];
    expect(second).toMatchObject({ outcome: 'verify-conflict', exitCode: 10, upstreamAbsorbed: 0 });
    expect(second.conflict.files).toEqual(['src/lib.txt']);
    expect(second.conflict.patch.subject).toBe('fork: tweak lib');
    expect(second.shas.after).toEqual({ upstream: up3, trunk: trunk1 });
    const oldest3 = Number(git(d.fixture.clone, 'log', '-1', '--format=%ct', up3)) * 1000;
    expect(second.daysBehind.after).toBeCloseTo((new Date(second.finishedAt).getTime() - oldest3) / DAY, 1);
    // Every line is whole: the file ends with a newline, no line is cut.
    expect(readFileSync(ledgerOf(d), 'utf8').endsWith('}\n')).toBe(true);

    // history --json: the same entries; the table: aligned, no colour off a terminal.
    const h = await cli(['history', '--config', d.configPath, '--json']);
    expect(h.json.data.entries).toEqual(lines);
    const table = (await cli(['history', '--config', d.configPath])).stdout.split('\n');
    expect(table[0]).toMatch(/^STARTED\s+RUN\s+COMMAND\s+OUTCOME/);
    expect(table[2]).toContain('verify-conflict');
    expect(table[1]!.indexOf('success')).toBe(table[0]!.indexOf('OUTCOME'));
    expect(table.join('\n')).not.toContain('\u001b[');

    // status reads the ledger too: runs of the last 7 days, days behind after the newest.
    const status = await cli(['status', '--config', d.configPath, '--json']);
    expect(status.json.data.history).toMatchObject({ days: 7, runs: 2, green: 1, daysBehind: second.daysBehind.after, malformed: 0 });
    expect((await cli(['status', '--config', d.configPath])).stdout).toMatch(/^history: 2 run\(s\) in the last 7 days, 1 green; \d+\.\d days behind upstream after the last run$/m);

    // A missing ledger is rebuilt from runs/*/report.json with the same facts.
    rmSync(ledgerOf(d));
    const rebuilt = await cli(['history', '--config', d.configPath, '--json']);
    expect(rebuilt.json.data.rebuilt).toBe(true);
    expect(rebuilt.json.data.entries).toEqual(lines);

    // The report stage refreshed the dashboard at the end of each run (report.dashboard, default on).
    const html = readFileSync(join(d.fixture.clone, '.scratch', 'rebase-daily', 'dashboard.html'), 'utf8');
    expect(html).toContain('class="day outcome-verify-conflict"');
    expect(html).toContain('fork: tweak lib');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
  });

  it('colour only on a terminal without NO_COLOR; a torn line is skipped and reported', async () => {
    const d = make();
    expect((await cli(['daily', '--config', d.configPath])).code).toBe(0);
    writeFileSync(ledgerOf(d), `${readFileSync(ledgerOf(d), 'utf8')}{"v":1,"kind":"run","ev`, { flag: 'w' });
    let out = '';
    const io = (env: NodeJS.ProcessEnv) => ({ stdout: (t: string) => void (out += t), stderr: () => {}, env: { ...process.env, ...env }, cwd: process.cwd(), isTTY: true, stdoutIsTTY: true });
    const { main } = await import('../src/index.js');
    await main(['history', '--config', d.configPath], io({ NO_COLOR: '' }));
    expect(out).toContain('\u001b[32mno-change');
    expect(out).toMatch(/history\.jsonl:2 skipped: not JSON/);
    out = '';
    await main(['history', '--config', d.configPath], io({ NO_COLOR: '1' }));
    expect(out).not.toContain('\u001b[');
    // The next run's line lands whole after the torn one (a newline is put before it).
    expect((await cli(['daily', '--config', d.configPath])).code).toBe(0);
    const h = await cli(['history', '--config', d.configPath, '--json']);
    expect(h.json.data.entries).toHaveLength(2);
    expect(h.json.data.malformed).toEqual([{ line: 2, reason: 'not JSON (a torn or edited line)' }]);
  });

  it('report.dashboard false: the run does not write the dashboard; `dashboard --out` still does', async () => {
    const d = make({ report: { dashboard: false } });
    expect((await cli(['daily', '--config', d.configPath])).code).toBe(0);
    expect(existsSync(join(d.fixture.clone, '.scratch', 'rebase-daily', 'dashboard.html'))).toBe(false);
    const out = join(d.fixture.root, 'out', 'dash.html');
    const r = await cli(['dashboard', '--config', d.configPath, '--out', out, '--json']);
    expect(r.json).toMatchObject({ command: 'dashboard', exitCode: 0, data: { path: out, forks: [{ entries: 1 }] } });
    // Day links are relative to the page.
    expect(readFileSync(out, 'utf8')).toMatch(/href="\.\.\/fork\/\.scratch\/rebase-daily\/\d{4}-\d{2}-\d{2}\/summary\.md"/);
  });
});

describe('history ledger: resolve sessions', () => {
  it('start, abort, start, finish: one line each, with the pinned SHAs and the conflicted files', async () => {
    const LIB = 'src/lib.txt';
    const d = day(
      {
        base: { 'README.md': 'upstream project\n', [LIB]: 'line 1\nline 2\nline 3\n' },
        patches: [{ files: { [LIB]: 'line 1\nline 2 fork\nline 3\n' }, message: 'fork: change line 2' }],
        upstreamCommits: [{ files: { [LIB]: 'line 1\nline 2 upstream\nline 3\n' }, message: 'upstream: change line 2' }],
      },
      {},
    );
    days.push(d);
    expect((await cli(['daily', '--config', d.configPath])).code).toBe(10);
    const before = d.refs();
    expect((await cli(['resolve', 'start', '--config', d.configPath])).code).toBe(0);
    expect((await cli(['resolve', 'abort', '--config', d.configPath])).code).toBe(0);
    const start = await cli(['resolve', 'start', '--config', d.configPath, '--json']);
    const wt = start.json.data.worktree as string;
    writeFileSync(join(wt, LIB), 'line 1\nline 2 upstream and fork\nline 3\n');
    git(wt, 'add', '--', LIB);
    expect((await cli(['resolve', 'continue', '--config', d.configPath])).code).toBe(0);
    const fin = await cli(['resolve', 'finish', '--no-validate', '--reason', 'no test suite here', '--config', d.configPath]);
    expect(fin.code, fin.stderr).toBe(0);
    const resolves = linesOf(d).filter((e) => e.kind === 'resolve');
    expect(resolves.map((e) => [e.event, e.outcome, e.exitCode])).toEqual([
      ['start', 'started', 0],
      ['abort', 'aborted', 0],
      ['start', 'started', 0],
      ['finish', 'resolved', 0],
    ]);
    for (const e of resolves) expect(e.shas.before).toEqual({ upstream: before.upstream, trunk: before.trunk });
    const finish = resolves[3];
    expect(finish.shas.after.trunk).toBe(git(d.fixture.clone, 'rev-parse', d.fixture.trunk));
    expect(finish.daysBehind.after).toBe(0);
    expect(finish.conflict).toMatchObject({ stage: 'resolve', files: [LIB], patch: { subject: 'fork: change line 2' } });
    expect(resolves[0].finishedAt).toBeNull();
    // The table shows them among the runs.
    expect((await cli(['history', '--config', d.configPath])).stdout).toMatch(/resolve finish\s+resolved/);
    // The day's story, from the ledger: the date folder's summary lists the runs and the resolve
    // session in the order they happened (a later no-change run no longer hides the resolution).
    expect((await cli(['daily', '--config', d.configPath])).code).toBe(0);
    const summary = readFileSync(join(d.report().paths.dateDir, 'summary.md'), 'utf8');
    expect(summary).toMatch(/^# rebase-daily \S+: ✅ no-change/);
    const story = summary
      .slice(summary.indexOf('## Runs of the day'))
      .split('\n')
      .filter((l) => l.startsWith('| 20'))
      .map((l) => l.split(' | ').slice(2, 4).join(': '));
    expect(story).toEqual([
      'daily: verify-conflict (exit 10)',
      'resolve start: started (exit 0)',
      'resolve abort: aborted (exit 0)',
      'resolve start: started (exit 0)',
      'resolve finish: resolved (exit 0)',
      'daily: no-change (exit 0)',
    ]);
  });
});

describe('dashboard: a fleet page', () => {
  it('--config twice and --fleet FILE: one page, a row per fork', async () => {
    const a = make();
    const b = make();
    for (const d of [a, b]) expect((await cli(['daily', '--config', d.configPath])).code).toBe(0);
    const out = join(a.fixture.root, 'fleet.html');
    const r = await cli(['dashboard', '--config', a.configPath, '--config', b.configPath, '--out', out, '--json']);
    expect(r.code).toBe(0);
    expect(r.json.data.forks).toHaveLength(2);
    expect(readFileSync(out, 'utf8').match(/class="fork-row"/g)).toHaveLength(2);

    const fleet = join(a.fixture.root, 'fleet.json');
    writeFileSync(fleet, JSON.stringify({ generatedAt: 'x', forks: [{ name: 'alpha', config: a.configPath, health: 'ok' }, { name: 'beta', config: b.configPath }] }));
    const f = await cli(['dashboard', '--fleet', fleet, '--out', out, '--json']);
    expect(f.json.data.forks.map((x: any) => x.name)).toEqual(['alpha', 'beta']);
    expect(readFileSync(out, 'utf8')).toContain('href="#fork-1">beta<');
  });

  it.each([
    [['history', '--days', 'x'], 'E_USAGE', /--days needs a whole number/],
    [['dashboard', '--fleet', '/nonexistent/fleet.json'], 'E_FLEET_INVALID', /fleet summary \/nonexistent\/fleet\.json: not found; write \{"forks"/],
    [['dashboard', '--fleet', 'f.json', '--config', 'c.json'], 'E_USAGE', /--fleet and --config name the forks twice/],
  ])('%j: one line, exit 2, a stable code', async (argv, code, message) => {
    const r = await cli([...argv, '--json']);
    expect(r.code).toBe(2);
    expect(r.json.errors[0].code).toBe(code);
    expect(r.json.errors[0].message).toMatch(message);
  });

  it('a fleet file of the wrong shape is refused and nothing is written', async () => {
    const a = make();
    const fleet = join(a.fixture.root, 'fleet.json');
    writeFileSync(fleet, JSON.stringify({ forks: [{ config: 'x.json' }] }));
    const out = join(a.fixture.root, 'never.html');
    const r = await cli(['dashboard', '--fleet', fleet, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_FLEET_INVALID: fleet summary .*fleet\.json: forks\.0\.name: /);
    expect(existsSync(out)).toBe(false);
  });
});
