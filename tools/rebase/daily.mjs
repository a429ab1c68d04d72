#!/usr/bin/env node
// The cron entrypoint. One fork: runs `nx run <fork>:daily` and exits with the run's own exit code
// (0, 10–16, 1, 2). Nx itself can only say 0 or 1, so the run id is handed to every Nx task through
// the environment and the exact code is read back from that run's state file. The whole fleet
// (--all): `nx run-many -t daily --projects=tag:rebase-fork --parallel=<n>`, each fork with its own
// lock, run id and report; exits with the most severe code of the fleet (core's FLEET_SEVERITY) after
// writing the fleet summary to <workspace>/.rebase-daily/fleet/<YYYY-MM-DD>/fleet.json (+ fleet.md).
//
// The fork projects are inferred by @rebase-daily/cli/plugin (nx.json) from every rebase-daily.json
// in the workspace, plus the config REBASE_DAILY_CONFIG / --config names when it lives elsewhere.
// Every target depends on `build` of the packages (cached), so a run after `git pull` runs current code.
//
//   node tools/rebase/daily.mjs [--config FILE | --project NAME]
//   node tools/rebase/daily.mjs --all [--parallel N]
//   (cron: cd /path/to/rebase-daily && node tools/rebase/daily.mjs --all)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
const USAGE = 'usage: node tools/rebase/daily.mjs [--config FILE | --project NAME] | --all [--parallel N]  [--workspace DIR]';
/** This checkout: the packages the executors load are built here. */
const checkout = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const nx = join(checkout, 'node_modules', '.bin', 'nx');
/** The Nx workspace whose forks run (--workspace; default: this checkout). */
let workspace = checkout;
const say = (line) => process.stderr.write(`rebase-daily cron: ${line}\n`);
const die = (line, code = 2) => {
  say(line);
  process.exit(code);
};

function parseArgs(argv) {
  const out = { config: undefined, project: undefined, all: false, parallel: 2, workspace: undefined };
  const value = (i, name) => {
    const a = argv[i];
    if (a.startsWith(`${name}=`)) return [a.slice(name.length + 1), i];
    if (a === name && argv[i + 1]) return [argv[i + 1], i + 1];
    return [undefined, i];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let v;
    if (a === '--all') out.all = true;
    else if (a.startsWith('--config')) ([v, i] = value(i, '--config'), (out.config = v && resolve(v)));
    else if (a.startsWith('--project')) ([v, i] = value(i, '--project'), (out.project = v));
    else if (a.startsWith('--workspace')) ([v, i] = value(i, '--workspace'), (out.workspace = v && resolve(v)));
    else if (a.startsWith('--parallel')) {
      [v, i] = value(i, '--parallel');
      out.parallel = Number(v);
      if (!Number.isInteger(out.parallel) || out.parallel < 1) die(`E_USAGE: --parallel needs a whole number ≥ 1, got "${v}"; ${USAGE}`);
    } else die(`E_USAGE: unknown argument "${a}"; ${USAGE}`);
    if (/^--(config|project|workspace)/.test(a) && !v) die(`E_USAGE: ${a} needs a value; ${USAGE}`);
  }
  if (out.all && (out.config || out.project)) die(`E_USAGE: --all runs every fork; drop --config/--project; ${USAGE}`);
  return out;
}

/** The fork projects Nx infers (tag rebase-fork), each with its config path and daily target name. */
function forkProjects(env) {
  const dir = mkdtempSync(join(tmpdir(), 'rebase-daily-graph-'));
  try {
    const file = join(dir, 'graph.json');
    const r = spawnSync(nx, ['graph', `--file=${file}`], { cwd: workspace, env, encoding: 'utf8' });
    if (r.status !== 0) die(`nx could not compute the project graph (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`, 1);
    const nodes = JSON.parse(readFileSync(file, 'utf8')).graph.nodes;
    return Object.values(nodes)
      .filter((n) => (n.data.tags ?? []).includes('rebase-fork'))
      .map((n) => {
        const targets = Object.entries(n.data.targets ?? {});
        const verify = targets.find(([, t]) => t.executor === '@rebase-daily/git:verify');
        const daily = targets.find(([, t]) => t.executor === 'nx:noop' && (t.dependsOn ?? []).length);
        const config = verify?.[1].options?.config;
        return { name: n.name, config: config && (isAbsolute(config) ? config : resolve(workspace, config)), daily: daily?.[0] ?? 'daily' };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const nxEnv = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

/** Read a fork's run back from its state file (finishing it when Nx stopped before its last task). */
async function outcomeOf(fork, runId, nxStatus) {
  const loaded = loadConfig({ configPath: fork.config, cwd: workspace });
  if (!loaded.ok) return { outcome: 'usage-error', exitCode: 2, report: null, why: `config error in ${loaded.configPath}: ${loaded.errors.join('; ')}` };
  const stateFile = runPaths(loaded.config.scratchPath, runId).state;
  if (!existsSync(stateFile)) return { outcome: 'not-run', exitCode: 1, report: null, why: `nx exited ${nxStatus} before run ${runId} recorded a state (${stateFile})` };
  let state = JSON.parse(readFileSync(stateFile, 'utf8'));
  if (!state.finishedAt) {
    // Nx stopped before the finishing task ran (a crash, a task killed, invalid options): finish the
    // run here so the cleanup guarantee, the report and the unlock still happen.
    say(`${fork.name}: nx exited ${nxStatus} before run ${runId} finished; finishing it (cleanup, report, unlock)`);
    state = await recoverUnfinishedRun(loaded.config, runId, `nx exited ${nxStatus} before the run finished`, writeRunReport);
  }
  const exitCode = typeof state.exitCode === 'number' ? state.exitCode : 1;
  return { outcome: state.outcome ?? 'error', exitCode, report: state.reportDir ? join(state.reportDir, 'report.json') : null, reportDir: state.reportDir };
}

async function runOne(args) {
  const configPath = args.config ?? (args.project ? undefined : process.env.REBASE_DAILY_CONFIG && resolve(process.env.REBASE_DAILY_CONFIG));
  const env = { ...process.env, ...nxEnv };
  delete env.REBASE_DAILY_FLEET_RUN_ID;
  if (configPath) env.REBASE_DAILY_CONFIG = configPath;
  const forks = forkProjects(env);
  let fork;
  if (args.project) fork = forks.find((f) => f.name === args.project) ?? die(`E_USAGE: no fork project "${args.project}"; forks: ${forks.map((f) => f.name).join(', ') || '(none)'}`);
  else if (configPath) fork = forks.find((f) => f.config === configPath) ?? die(`config file not found: ${configPath}; pass --config FILE, set REBASE_DAILY_CONFIG, or run \`rebase-daily init\``);
  else if (forks.length === 1) fork = forks[0];
  else if (forks.length === 0) die('config file not found: no rebase-daily.json in this workspace; pass --config FILE, set REBASE_DAILY_CONFIG, or run `rebase-daily init`');
  else die(`E_USAGE: ${forks.length} forks in this workspace (${forks.map((f) => f.name).join(', ')}); pass --all, --project NAME or --config FILE`);
  const loaded = loadConfig({ configPath: fork.config, cwd: workspace });
  if (!loaded.ok) die(`config error in ${loaded.configPath}: ${loaded.errors.join('; ')}`);
  const runId = newRunId();
  const result = spawnSync(nx, ['run', `${fork.name}:${fork.daily}`, '--outputStyle=stream', '--skipSync'], { cwd: workspace, stdio: 'inherit', env: { ...env, REBASE_DAILY_RUN_ID: runId } });
  const r = await outcomeOf(fork, runId, result.status ?? result.signal);
  if (r.why) die(r.why, r.exitCode);
  say(`run ${runId} ${r.outcome} (exit ${r.exitCode})${r.reportDir ? `; report ${r.reportDir}` : ''}`);
  process.exit(r.exitCode);
}

async function runFleet(args) {
  const env = { ...process.env, ...nxEnv };
  // Every fork runs with its own config (the targets' option) and its own run id (fleet id + name).
  delete env.REBASE_DAILY_CONFIG;
  delete env.REBASE_DAILY_RUN_ID;
  const fleetRunId = newRunId();
  env.REBASE_DAILY_FLEET_RUN_ID = fleetRunId;
  const forks = forkProjects(env);
  if (forks.length === 0) die('config file not found: no rebase-daily.json in this workspace (nx show projects --projects=tag:rebase-fork is empty); run `rebase-daily init` in a fork folder of the workspace');
  const targets = [...new Set(forks.map((f) => f.daily))];
  if (targets.length !== 1) die(`E_USAGE: the forks' daily targets differ (${targets.join(', ')}); register @rebase-daily/cli/plugin once in nx.json`);
  say(`fleet ${fleetRunId}: ${forks.length} fork(s) (${forks.map((f) => f.name).join(', ')}), parallel ${args.parallel}`);
  // nxBail stays off: one fork failing never stops another.
  const result = spawnSync(nx, ['run-many', '-t', targets[0], '--projects=tag:rebase-fork', `--parallel=${args.parallel}`, '--outputStyle=stream', '--skipSync'], { cwd: workspace, stdio: 'inherit', env });
  const rows = [];
  for (const fork of forks) {
    const runId = fleetForkRunId(fleetRunId, fork.name);
    const r = await outcomeOf(fork, runId, result.status ?? result.signal);
    if (r.why) say(`${fork.name}: ${r.why}`);
    rows.push({ name: fork.name, config: fork.config, runId: r.outcome === 'not-run' ? null : runId, outcome: r.outcome, exitCode: r.exitCode, report: r.report });
  }
  const generatedAt = new Date().toISOString();
  const summary = FleetSummarySchema.parse({ schemaVersion: 1, fleetRunId, generatedAt, exitCode: fleetExitCode(rows.map((r) => r.exitCode)), parallel: args.parallel, forks: rows });
  const paths = fleetSummaryPaths(workspace, localDate(generatedAt));
  mkdirSync(paths.dir, { recursive: true });
  writeFileSync(paths.json, `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(paths.md, renderFleetMarkdown(summary));
  for (const r of rows) say(`${r.name}: ${r.outcome} (exit ${r.exitCode})${r.report ? `; report ${r.report}` : ''}`);
  say(`fleet ${fleetRunId}: exit ${summary.exitCode}; summary ${paths.json}`);
  process.exit(summary.exitCode);
}

/**
 * The cron entrypoint runs current code: build what is stale (Nx, cached: a no-op when nothing
 * changed since the last build) before loading any package, or refuse with the command to run.
 */
function buildFirst() {
  const packages = ['core', 'report', 'git', 'graphite', 'cargo-validate', 'cli'].map((p) => `@rebase-daily/${p}`).join(',');
  const r = spawnSync(nx, ['run-many', '-t', 'build', `--projects=${packages}`, '--outputStyle=static', '--skipSync'], { cwd: checkout, env: { ...process.env, ...nxEnv }, encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    die(`building the packages failed (nx exit ${r.status}), so the run would use stale code; fix the build, then run \`npm run build\` in ${checkout} and rerun`, 1);
  }
}

const args = parseArgs(process.argv.slice(2));
if (args.workspace) workspace = args.workspace;
buildFirst();
const { fleetExitCode, fleetForkRunId, FleetSummarySchema, fleetSummaryPaths, loadConfig, localDate, newRunId, recoverUnfinishedRun, renderFleetMarkdown, runPaths } = await import('@rebase-daily/core');
const { writeRunReport } = await import('@rebase-daily/report');
await (args.all ? runFleet(args) : runOne(args));
