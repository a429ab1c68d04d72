import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '@rebase-daily/core/testing';
import { initGraphiteStack } from '@rebase-daily/graphite/testing';
import { cleanupDay, cli, day, useThrowawayHome, type Day } from './helpers.js';

// A daily run whose config names a gt that is not installed, through the CLI on a real
// Graphite-initialised fork (real git, real gt to build the stack). No stand-in: the program name
// is found nowhere, with PATH cut down to the system folders (as the doctor tests do), and a
// relative path points at nothing.
let d: Day | undefined;
const savedPath = process.env.PATH;
useThrowawayHome('rebase-daily-gt-missing-home-');
afterEach(() => {
  process.env.PATH = savedPath;
  cleanupDay(d);
  d = undefined;
});

const stage = (report: any, name: string) => report.stages.find((s: any) => s.name === name);

describe('exit 13: graphite.bin names a gt that is not installed (E_GT_MISSING)', () => {
  it.each([
    ['a program name found nowhere (restricted PATH)', 'gt-not-installed'],
    ['a relative path that does not exist', './no/such/gt'],
  ])('%s: graphite-failed, the one-line install hint, nothing moved or pushed, the report written', async (_label, bin) => {
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'new upstream file\n' }, message: 'upstream: new file' }] }, { graphite: { bin } });
    const c = d.fixture.clone;
    initGraphiteStack(c, d.fixture.trunk, [{ name: 'feature', parent: d.fixture.trunk, files: { 'feature.txt': 'feature\n' } }]);
    const before = { ...d.refs(), feature: git(c, 'rev-parse', 'feature') };
    // The stage looks gt up on this process's PATH; the CLI's own environment gets the same.
    const restricted = '/usr/bin:/bin';
    process.env.PATH = restricted;
    const r = await cli(['daily', '--config', d.configPath, '--json'], { PATH: restricted });
    process.env.PATH = savedPath;

    expect(r.code, r.stderr).toBe(13);
    expect(r.json).toMatchObject({ exitCode: 13, outcome: 'graphite-failed' });
    const error = r.json.errors.find((e: any) => e.code === 'E_GT_MISSING');
    expect(error.message).toBe(
      `gt not found at graphite.bin "${bin}"; install the Graphite CLI with \`npm install --save-dev @withgraphite/graphite-cli\` in the workspace (or \`npm install -g @withgraphite/graphite-cli\`), or set graphite.bin in the config`,
    );

    // The report is written and says the same, from the align stage's data.
    const report = d.report();
    expect(report).toMatchObject({ exitCode: 13, outcome: 'graphite-failed', stoppedBy: 'align' });
    expect(stage(report, 'align')).toMatchObject({ status: 'failed' });
    expect(stage(report, 'align').data.gt).toBeNull();
    expect(report.errors.map((e: any) => e.code)).toContain('E_GT_MISSING');
    const reportDir = dirname(report.commands.log);
    expect(existsSync(join(reportDir, 'summary.md'))).toBe(true);
    expect(readFileSync(join(reportDir, 'summary.md'), 'utf8')).toContain('E_GT_MISSING');
    // No gt command was run at all.
    const argvs: string[][] = readFileSync(report.commands.log, 'utf8').trim().split('\n').map((l) => JSON.parse(l).argv).filter(Boolean);
    expect(argvs.length).toBeGreaterThan(0);
    expect(argvs.filter((a) => a.some((x) => x === bin || x === 'gt' || x.endsWith('/gt')))).toEqual([]);

    // Nothing moved: the rebased trunk went back where the run found it (kept as a candidate),
    // the descendant was never touched, and nothing reached the fork remote.
    expect({ ...d.refs(), feature: git(c, 'rev-parse', 'feature') }).toEqual(before);
    expect(git(c, 'for-each-ref', '--format=%(refname)', 'refs/rebase-daily/candidates/')).toContain(`/${d.fixture.trunk}`);
    expect(d.clean()).toBe(true);
    expect(d.head()).toBe(d.fixture.trunk);
  }, 180_000);
});
