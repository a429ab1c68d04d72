#!/usr/bin/env node
// The cron entrypoint: runs `nx run rebase:daily` and exits with the run's own exit code (0, 10–16,
// 1, 2). Nx itself can only say 0 or 1, so the run id is handed to every Nx task through the
// environment and the exact code is read back from that run's state file.
//
//   node tools/rebase/daily.mjs [--config FILE]      (cron: cd /path/to/rebase-daily && node tools/rebase/daily.mjs)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, newRunId, recoverUnfinishedRun, runPaths } from '@rebase-daily/core';
import { writeRunReport } from '@rebase-daily/report';

const workspace = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
let configArg;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--config' && args[i + 1]) configArg = resolve(args[++i]);
  else if (args[i].startsWith('--config=')) configArg = resolve(args[i].slice('--config='.length));
  else {
    process.stderr.write(`rebase-daily cron: unknown argument "${args[i]}"; usage: node tools/rebase/daily.mjs [--config FILE]\n`);
    process.exit(2);
  }
}
// Same default as the Nx targets: REBASE_DAILY_CONFIG, else the demo fork's config.
const configPath = configArg ?? process.env.REBASE_DAILY_CONFIG ?? join(workspace, 'demo-fork', 'rebase-daily.json');
const loaded = loadConfig({ configPath, cwd: workspace });
if (!loaded.ok) {
  process.stderr.write(`rebase-daily cron: config error in ${loaded.configPath}: ${loaded.errors.join('; ')}\n`);
  process.exit(2);
}
const runId = newRunId();
const nx = join(workspace, 'node_modules', '.bin', 'nx');
const result = spawnSync(nx, ['run', 'rebase:daily', '--outputStyle=stream', '--skipSync'], {
  cwd: workspace,
  stdio: 'inherit',
  env: { ...process.env, REBASE_DAILY_RUN_ID: runId, REBASE_DAILY_CONFIG: configPath, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
});
const stateFile = runPaths(loaded.config.scratchPath, runId).state;
if (!existsSync(stateFile)) {
  process.stderr.write(`rebase-daily cron: nx exited ${result.status ?? result.signal} before run ${runId} recorded a state (${stateFile})\n`);
  process.exit(1);
}
let state = JSON.parse(readFileSync(stateFile, 'utf8'));
if (!state.finishedAt) {
  // Nx stopped before the finishing task ran (a crash, a task killed, invalid options): finish the
  // run here so the cleanup guarantee, the report and the unlock still happen.
  process.stderr.write(`rebase-daily cron: nx exited ${result.status ?? result.signal} before run ${runId} finished; finishing it (cleanup, report, unlock)\n`);
  state = await recoverUnfinishedRun(loaded.config, runId, `nx exited ${result.status ?? result.signal} before the run finished`, writeRunReport);
}
process.stderr.write(`rebase-daily cron: run ${runId} ${state.outcome} (exit ${state.exitCode})${state.reportDir ? `; report ${state.reportDir}` : ''}\n`);
process.exit(typeof state.exitCode === 'number' ? state.exitCode : 1);
