import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RunStateSchema } from '@rebase-daily/core';
import { buildReport } from '@rebase-daily/report';
import { MAX_NEXT_COMMANDS, nextCommands, terminalSummary } from './terminal-summary.js';

// Run states recorded from real runs (the report package's fixtures, written by
// test/report-fixtures.test.ts), rendered for a terminal.
const RUNS = ['success', 'no-change', 'verify-conflict', 'apply-conflict', 'push-blocked', 'validation-failed', 'graphite-restack', 'lock-taken', 'partial', 'error', 'interrupted'] as const;
const reportOf = (name: string) => buildReport(RunStateSchema.parse(JSON.parse(readFileSync(fileURLToPath(new URL(`../../../report/src/__fixtures__/runs/${name}.json`, import.meta.url)), 'utf8'))));
const paths = { summaryPath: '/r/summary.md', reportPath: '/r/report.json' };
const ESC = '\u001b[';

describe('terminalSummary', () => {
  it.each(RUNS)('%s: outcome first, aligned rows, at most five commands, no Markdown tables', (name) => {
    const report = reportOf(name);
    const text = terminalSummary(report, paths, false);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${report.outcome}.* \\(exit ${report.exitCode}\\) `));
    expect(text).not.toContain('| ---');
    expect(text).not.toContain(ESC);
    const rows = lines.slice(1, lines.indexOf('') < 0 ? undefined : lines.indexOf(''));
    const valueStart = new Set(rows.map((r) => /^ {2}\S+ +/.exec(r)?.[0].length));
    expect(valueStart.size, rows.join('\n')).toBe(1);
    expect(rows.at(-1)).toMatch(/summary +\/r\/summary\.md$/);
    const next = lines.filter((l) => /^ {2}\d\. /.test(l));
    expect(next.length).toBeLessThanOrEqual(MAX_NEXT_COMMANDS);
    for (const l of next) expect(l).toMatch(/^ {2}\d\. (git|gt|cargo|just|cd|npx|node|rebase-daily|\S*rebase-daily) /);
  });

  it('colour only when asked: the outcome in green or red, keys dim', () => {
    expect(terminalSummary(reportOf('success'), paths, true)).toContain(`${ESC}32m`);
    expect(terminalSummary(reportOf('verify-conflict'), paths, true)).toContain(`${ESC}31m`);
    expect(terminalSummary(reportOf('verify-conflict'), paths, true)).toContain(`${ESC}2m`);
  });

  it('verify-conflict names the patch and its files, and the commands to resolve it before the reproduction', () => {
    const text = terminalSummary(reportOf('verify-conflict'), paths, false);
    expect(text).toMatch(/conflict +verify: [0-9a-f]{7} "fork: change line 2" \(patch 1 of 1\) in src\/lib\.txt/);
    expect(text).toMatch(/1\. rebase-daily --config \S+ lock --reason/);
    expect(text).toMatch(/\(the full checklist: \d+ steps in the summary\)/);
  });

  it('a success day says what moved and where it was pushed', () => {
    expect(terminalSummary(reportOf('success'), paths, false)).toMatch(/trunk +\S+ {2}[0-9a-f]{7} → [0-9a-f]{7}, pushed to origin/);
  });

  it.each([
    ['code spans that start with a program, each once', ['Run `git fetch` then `git fetch`', 'see `report.json`'], ['git fetch']],
    ['Reproduce: steps last', ['Reproduce: `cd /x`', 'Lock: `rebase-daily lock`'], ['rebase-daily lock', 'cd /x']],
    ['an installed or node invocation counts', ['`/opt/bin/rebase-daily daily`', '`node /x/bin.js status`'], ['/opt/bin/rebase-daily daily', 'node /x/bin.js status']],
    ['at most five', ['`git a` `git b` `git c` `git d` `git e` `git f`'], ['git a', 'git b', 'git c', 'git d', 'git e']],
    ['prose without commands', ['No branch tip moved.'], []],
  ])('nextCommands: %s', (_name, actions, expected) => {
    expect(nextCommands(actions)).toEqual(expected);
  });
});
