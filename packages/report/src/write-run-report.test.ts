import { acquireLock, CommandLog, lockDirFor, loadConfigOrThrow, run, runPipeline, type ReportWriter } from '@rebase-daily/core';
import { createForkFixture, git, makeTempDir, removeDir, writeFixtureConfig, type ForkFixture } from '@rebase-daily/core/testing';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readLatestReport } from './write-report.js';
import { ReportSchema } from './report-schema.js';
import { withState } from './testing/recorded-runs.js';
import { readCommandLog, writeRunReport } from './write-run-report.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function fork(): ForkFixture {
  const f = createForkFixture({ upstreamCommits: [{ files: { 'src/up.txt': 'new upstream file\n' }, message: 'upstream: add up.txt' }] });
  cleanups.push(() => f.cleanup());
  return f;
}

// writeRunReport fits core's ReportWriter contract. A compile-time check: `nx run report:typecheck`
// (tsc over src/**, test files included) fails on it; vitest would not (expectTypeOf is a no-op at run time).
void (writeRunReport satisfies ReportWriter);

describe('writeRunReport', () => {
  it('reads the JSONL command log, skipping a line torn by a crash, and reports the count and redacted entries', async () => {
    const scratch = makeTempDir('rebase-daily-report-');
    cleanups.push(() => removeDir(scratch));
    const logFile = join(scratch, 'rebase-daily', 'runs', 'r1', 'commands.jsonl');
    const log = new CommandLog();
    log.attach(logFile);
    // Real calls through the seam: one that works and one that fails naming a credentialed URL.
    await run('git', ['--version'], { cwd: scratch }, log);
    await run('git', ['ls-remote', 'https://bot:s3cret@127.0.0.1:9/fork.git'], { cwd: scratch, timeoutMs: 20_000 }, log);
    appendFileSync(logFile, '{"at":"2026-11-27T12:00:00Z","argv":["git","fet');

    expect(readCommandLog(logFile)).toHaveLength(2);
    const state = withState('no-change', { runId: 'r1', scratchDir: scratch, commandLog: logFile, startedAt: '2026-11-27T12:00:00.000Z', finishedAt: '2026-11-27T12:00:10.000Z' });
    const written = writeRunReport(state);
    expect(written.dir).toBe(join(scratch, 'rebase-daily', '2026-11-27'));
    const onDisk = ReportSchema.parse(JSON.parse(readFileSync(written.reportPath, 'utf8')));
    expect(onDisk.commands.count).toBe(2);
    expect(onDisk.commands.log).toBe(logFile);
    expect(onDisk.commands.failed).toBe(1);
    expect(readFileSync(written.reportPath, 'utf8')).not.toContain('s3cret');
    expect(readFileSync(written.summaryPath, 'utf8')).toContain('(2 commands, 1 non-zero)');
  });

  it('a real run through core: report in the date folder and the run folder, with the real SHAs', async () => {
    const f = fork();
    const config = loadConfigOrThrow({ configPath: writeFixtureConfig(f) });
    // The `report` command: lock, preflight (real fetches), no stage, finish — the smallest real run.
    const state = await runPipeline(config, { command: 'report', impls: {}, writeReport: writeRunReport });
    expect(state.exitCode).toBe(0);

    const latest = readLatestReport(config.scratchPath);
    expect(latest?.ok).toBe(true);
    if (!latest?.readable) return;
    const { report } = latest;
    expect(report.runId).toBe(state.runId);
    expect(state.reportDir).toBe(latest.dateDir);
    expect(report.shas.before.trunk).toBe(git(f.clone, 'rev-parse', `refs/heads/${f.trunk}`));
    expect(report.shas.before.upstream).toBe(git(f.clone, 'rev-parse', `refs/remotes/upstream/${f.upstreamBranch}`));
    expect(report.shas.before.forkTrunk).toBe(git(f.clone, 'rev-parse', `refs/remotes/origin/${f.trunk}`));
    expect(report.lock).toMatchObject({ acquired: true, override: false });
    expect(report.stages.find((s) => s.name === 'report')?.status).toBe('ok');
    expect(report.stages.find((s) => s.name === 'verify')?.status).toBe('skipped');
    expect(report.commands.count).toBeGreaterThan(0);
    expect(readCommandLog(report.commands.log!).some((c) => c.argv[0] === 'git' && c.argv[1] === 'fetch')).toBe(true);
    expect(readFileSync(join(config.scratchPath, 'rebase-daily', 'runs', state.runId, 'report.json'), 'utf8')).toBe(readFileSync(latest.reportPath, 'utf8'));
    // The scratch dir never dirties the tree.
    expect(git(f.clone, 'status', '--porcelain')).toBe('');
  });

  it('a run refused by a held lock writes only its own copy; the date folder keeps the last finished run', async () => {
    const f = fork();
    const config = loadConfigOrThrow({ configPath: writeFixtureConfig(f) });
    const first = await runPipeline(config, { command: 'report', impls: {}, writeReport: writeRunReport });
    const dayReport = join(readLatestReport(config.scratchPath)!.dateDir, 'report.json');
    const before = readFileSync(dayReport, 'utf8');

    const held = acquireLock({
      lockDir: lockDirFor(config.scratchPath),
      staleAfterHours: 6,
      forceStale: false,
      meta: { runId: 'holder-run', pid: process.pid, ownerPid: process.pid, hostname: 'elsewhere', startedAt: new Date().toISOString(), command: 'daily', shas: {} },
    });
    expect(held.acquired).toBe(true);
    const refused = await runPipeline(config, { command: 'daily', impls: {}, writeReport: writeRunReport });
    expect(refused.exitCode).toBe(15);

    expect(readFileSync(dayReport, 'utf8')).toBe(before);
    expect(JSON.parse(before).runId).toBe(first.runId);
    const own = ReportSchema.parse(JSON.parse(readFileSync(join(config.scratchPath, 'rebase-daily', 'runs', refused.runId, 'report.json'), 'utf8')));
    expect(own).toMatchObject({ outcome: 'lock-taken', exitCode: 15, lock: { acquired: false, override: false, holder: { runId: 'holder-run', hostname: 'elsewhere' } } });
    expect(own.nextActions.join('\n')).toContain('FORCE_STALE_LOCK=1');
    expect(refused.reportDir).toBe(join(config.scratchPath, 'rebase-daily', 'runs', refused.runId));
  });
});
