import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { hostname, userInfo } from 'node:os';
import {
  acquireLock,
  boundRunner,
  checkRepoPath,
  checkScratchDir,
  CommandLog,
  errors,
  EXIT,
  exitCodeFor,
  loadConfig,
  loadState,
  lockDirFor,
  lockAge,
  lockHolderLiveness,
  readLockMeta,
  recordedRuns,
  redact,
  redactDeep,
  redactEnv,
  releaseManualHold,
  runPaths,
  runPipeline,
  outcomeOf,
  RebaseDailyError,
  toErrorRecord,
  type LockMeta,
  type ResolvedConfig,
  type RunState,
} from '@rebase-daily/core';
import { readLatestReport, recordRun, writeRunReport, type Report } from '@rebase-daily/report';
import { terminalSummary } from './render/terminal-summary.js';
import { parseCliArgs, type CommandName, type ParsedArgs } from './args.js';
import { envelope, lockTakenRecord } from './envelope.js';
import { remoteLockLine, remoteLockStatus, type RemoteLockStatus } from './remote-lock-status.js';
import { initGithubWorkflow } from './init/github-workflow.js';
import { helpText } from './help.js';
import { stageImpls } from './stages.js';
import { runDoctor } from './doctor/doctor.js';
import { initFork } from './init/init.js';
import { fileExistsError } from './init/write-files.js';
import { cliInvocation, workspaceRoot } from './locate.js';
import { renderPrompt } from './prompt/render-prompt.js';
import { resolveCommand } from './resolve/command.js';
import { decisionOf } from './decision.js';
import { emit } from './emit.js';
import { dashboardCommand, fleetForks } from './history/dashboard-command.js';
import { historyCommand } from './history/history-command.js';
import { statusHistory, statusHistoryLine } from './history/status-history.js';
import { processIO, progressFor, useStdoutColor, type CliIO } from './io.js';

/**
 * Every byte the CLI prints passes through core's `redact`: remote URLs with credentials, tokens
 * and the values of secret environment variables (of `io.env` too) never reach a terminal or a log.
 */
function redactingIO(io: CliIO): CliIO {
  redactEnv(io.env);
  return { ...io, stdout: (t) => io.stdout(redact(t)), stderr: (t) => io.stderr(redact(t)) };
}

/** The CLI. Returns the exit code; never calls process.exit itself. */
export async function main(argv: string[], rawIO: CliIO = processIO): Promise<number> {
  const io = redactingIO(rawIO);
  const wantsJson = argv.includes('--json');
  let args: ParsedArgs;
  try {
    args = parseCliArgs(argv);
  } catch (err) {
    const rec = toErrorRecord(err);
    if (wantsJson) io.stdout(`${JSON.stringify(redactDeep(envelope('usage', EXIT.usage, 'usage-error', null, [rec])), null, 2)}\n`);
    else io.stderr(`rebase-daily: ${rec.message}\n`);
    return EXIT.usage;
  }
  if (args.version) {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    io.stdout(`${pkg.version}\n`);
    return 0;
  }
  if (args.bare) {
    const message = 'no command; usage: rebase-daily <command> [flags] (`rebase-daily --help` lists the commands)';
    if (args.json) io.stdout(`${JSON.stringify(envelope('usage', EXIT.usage, 'usage-error', null, [errors.usage(message).toJSON()]), null, 2)}\n`);
    else io.stderr(helpText());
    return EXIT.usage;
  }
  if (args.help || args.command === 'help') {
    io.stdout(helpText(args.command === 'help' ? undefined : args.command));
    return 0;
  }
  const command = args.command as CommandName;
  try {
    if (command === 'doctor') return await doctor(io, args);
    if (command === 'init') return await init(io, args);
    // A fleet page names its forks' configs itself (--fleet FILE, or --config repeated).
    if (command === 'dashboard') {
      const fleet = fleetForks(io, args);
      if (fleet) return await dashboardCommand(io, args, null, fleet);
    }
  } catch (err) {
    return failure(io, args, command, err);
  }
  const loaded = loadConfig({ configPath: args.config, repo: args.repo, cwd: io.cwd, env: io.env });
  if (!loaded.ok) {
    const code = (loaded.notFound ? errors.configNotFound(loaded.configPath) : errors.configInvalid([])).code;
    const errs = loaded.errors.map((message) => ({ code, message }));
    if (!args.json) io.stderr(`rebase-daily: config error in ${loaded.configPath}:\n${loaded.errors.map((e) => `  - ${e}`).join('\n')}\n`);
    return emit(io, args, envelope(command, EXIT.usage, 'usage-error', { configPath: loaded.configPath }, errs), '');
  }
  const config = loaded.config;
  try {
    if (command === 'status') return status(io, args, config, await remoteLockStatus(boundRunner(new CommandLog()), config));
    if (command === 'report') return rerender(io, args, config);
    if (command === 'prompt') return prompt(io, args, config);
    if (command === 'lock') {
      // The hold is a directory under the scratch dir: refuse a repo or scratch dir it must not create.
      const probe = boundRunner(new CommandLog());
      await checkRepoPath(probe, config.repoPath);
      await checkScratchDir(probe, config);
      return holdLock(io, args, config);
    }
    if (command === 'unlock') return unlock(io, args, config);
    if (command === 'resolve') return await resolveCommand(io, args, config);
    if (command === 'history') return await historyCommand(io, args, config);
    if (command === 'dashboard') return await dashboardCommand(io, args, config, null);
    return await runStages(io, args, config, command);
  } catch (err) {
    return failure(io, args, command, err);
  }
}

function failure(io: CliIO, args: ParsedArgs, command: CommandName, err: unknown): number {
  const rec = toErrorRecord(err);
  const code = err instanceof RebaseDailyError ? err.exitCode : EXIT.internal;
  if (!args.json) io.stderr(`rebase-daily: ${rec.code}: ${rec.message}\n`);
  const name = command === 'resolve' && args.subcommand ? `resolve ${args.subcommand}` : command;
  return emit(io, args, envelope(name, code, outcomeOf(err), null, [rec]), '');
}

/** `prompt`: the operator agent's prompt for this config, on stdout or into --write FILE. */
function prompt(io: CliIO, args: ParsedArgs, config: ResolvedConfig): number {
  const text = redact(renderPrompt(config, { cli: cliInvocation(io.env) }));
  if (!args.write) {
    if (args.json) return emit(io, args, envelope('prompt', 0, null, { path: null, prompt: text }), '');
    io.stdout(text);
    return 0;
  }
  const path = resolve(io.cwd, args.write);
  const same = existsSync(path) && readFileSync(path, 'utf8') === text;
  if (existsSync(path) && !same && !args.force) throw fileExistsError([path]);
  if (!same) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return emit(io, args, envelope('prompt', 0, null, { path, action: same ? 'unchanged' : 'written', prompt: text }), `${same ? 'unchanged' : 'wrote'} ${path}`);
}

/** `doctor`: one line per check; exit 1 when any check fails. Changes nothing. */
async function doctor(io: CliIO, args: ParsedArgs): Promise<number> {
  const result = await runDoctor({ configPath: args.config, repo: args.repo, cwd: io.cwd, env: io.env });
  const mark = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' } as const;
  const width = Math.max(...result.checks.map((c) => c.name.length));
  const human = result.checks.map((c) => `${mark[c.status]}  ${c.name.padEnd(width)}  ${c.message}${c.fix && c.status !== 'ok' ? ` — fix: ${c.fix}` : ''}`).join('\n');
  const failed = result.checks.filter((c) => c.status === 'fail');
  const code = failed.length ? EXIT.internal : EXIT.ok;
  const errs = failed.map((c) => errors.doctorCheckFailed(c.name, `${c.message}${c.fix ? `; ${c.fix}` : ''}`).toJSON());
  return emit(io, args, envelope('doctor', code, failed.length ? 'error' : null, result, errs), `${human}\n${failed.length ? `doctor: ${failed.length} check(s) failed` : 'doctor: all checks passed'}`);
}

/** `init`: starter config, prompt and docs in a fork; prints the scheduler entries. */
async function init(io: CliIO, args: ParsedArgs): Promise<number> {
  if (args.ci !== undefined) return initCi(io, args);
  const cli = cliInvocation(io.env);
  const r = await initFork({ repo: args.repo, configPath: args.config, docsDir: args.docsDir, promptFile: args.promptFile, trunk: args.trunk, force: args.force, cwd: io.cwd, cli, path: io.env.PATH });
  const lines = [
    ...r.files.map((f) => `${f.action.padEnd(11)} ${f.path}`),
    ...(r.excluded.length ? [`${'excluded'.padEnd(11)} ${r.excluded.join(', ')} (in .git/info/exclude, so the tree stays clean)`] : []),
    ...r.warnings.map((w) => `warning: ${w}`),
    r.changed ? '' : 'nothing changed: the fork is already initialised',
    '',
    `Next: \`${cli} doctor --config ${r.configPath}\`, then \`${cli} daily --config ${r.configPath}\`.`,
    '',
    `# cron (mechanical fallback; the operator agent is started with ${r.files[1]?.path ?? 'the prompt'})`,
    r.schedule.cron,
    '',
    `# systemd: ~/.config/systemd/user/${r.schedule.unitName}.service`,
    r.schedule.systemdService,
    `# systemd: ~/.config/systemd/user/${r.schedule.unitName}.timer   (then: systemctl --user enable --now ${r.schedule.unitName}.timer)`,
    r.schedule.systemdTimer,
  ];
  return emit(io, args, envelope('init', 0, null, r), lines.filter((l, i, a) => !(l === '' && a[i - 1] === '')).join('\n'));
}

/** `init --ci github`: the fleet's scheduled workflow, in the workspace that holds the forks. */
async function initCi(io: CliIO, args: ParsedArgs): Promise<number> {
  if (args.ci !== 'github') throw errors.usage(`--ci ${args.ci}: unknown CI provider; use --ci github`);
  const workspace = args.repo ? resolve(io.cwd, args.repo) : (workspaceRoot() ?? io.cwd);
  const r = await initGithubWorkflow(boundRunner(new CommandLog()), { workspace, force: args.force, env: io.env });
  const lines = [`${r.file.action.padEnd(11)} ${r.file.path}`, `matrix: ${r.forks.map((f) => f.fork).join(', ')} (one job per fork, concurrency group per fork, reports uploaded as artifacts)`];
  return emit(io, args, envelope('init', 0, null, { workflow: r.file, forks: r.forks }), lines.join('\n'));
}

async function runStages(io: CliIO, args: ParsedArgs, config: ResolvedConfig, command: CommandName): Promise<number> {
  const progress = progressFor(io);
  let written: Awaited<ReturnType<typeof recordRun>> | undefined;
  const state = await runPipeline(config, {
    command,
    impls: stageImpls(),
    progress,
    env: io.env,
    handleSignals: true,
    // The report, the history ledger line and the dashboard refresh (report.dashboard).
    writeReport: async (s) => {
      written = await recordRun(s, { config });
      for (const p of written.problems) progress.warn(p);
      return written;
    },
  });
  const exitCode = state.exitCode ?? EXIT.internal;
  // The command log is referenced, not inlined: the envelope stays a few KB whatever the run ran.
  // The decision, not the whole report (36–45 KB on a real conflict day): the report stays in its file and in `status --json --full`.
  const data = { runId: state.runId, reportPath: written?.reportPath ?? null, summaryPath: written?.summaryPath ?? null, commandLog: state.commandLog, decision: written ? decisionOf(written.report) : null };
  const human = written ? humanSummary(io, written) : `run ${state.runId}: ${state.outcome} (exit ${exitCode})`;
  return emit(io, args, envelope(command, exitCode, state.outcome, data, state.errors), human);
}

/** On a terminal the compact summary; elsewhere (a pipe, a cron mail, a file) the Markdown as written. */
function humanSummary(io: CliIO, written: { report: Report; summaryPath: string; reportPath: string }): string {
  if (io.stdoutIsTTY) return terminalSummary(written.report, written, useStdoutColor(io));
  return `${readFileSync(written.summaryPath, 'utf8')}\nreport: ${written.reportPath}`;
}

/** The newest run state under <scratch>/rebase-daily/runs (run ids sort by start time). */
export function latestRunState(config: ResolvedConfig): RunState | null {
  const dir = runPaths(config.scratchPath).runsDir;
  if (!existsSync(dir)) return null;
  for (const id of readdirSync(dir).sort().reverse()) {
    const state = loadState(config.scratchPath, id);
    if (state?.finishedAt) return state;
  }
  return null;
}

function rerender(io: CliIO, args: ParsedArgs, config: ResolvedConfig): number {
  const state = latestRunState(config);
  if (!state) {
    const { code, message } = errors.noRun(runPaths(config.scratchPath).runsDir);
    const rec = { code, message };
    if (!args.json) io.stderr(`rebase-daily: ${rec.message}\n`);
    return emit(io, args, envelope('report', EXIT.internal, 'error', null, [rec]), '');
  }
  const written = writeRunReport(state);
  const code = state.exitCode ?? exitCodeFor(state.outcome ?? 'error');
  // `report` itself succeeded: its exit code is 0; the run's own code is in data.report.exitCode.
  return emit(io, args, envelope('report', 0, state.outcome, { runId: state.runId, runExitCode: code, reportPath: written.reportPath, summaryPath: written.summaryPath, commandLog: state.commandLog, report: written.report }), humanSummary(io, written));
}

function status(io: CliIO, args: ParsedArgs, config: ResolvedConfig, remoteLock: RemoteLockStatus | null): number {
  const latest = readLatestReport(config.scratchPath);
  const lockDir = lockDirFor(config.scratchPath);
  const meta = existsSync(lockDir) ? readLockMeta(lockDir) : null;
  const age = existsSync(lockDir) ? lockAge(lockDir, meta, config.lock.staleAfterHours) : null;
  const lock = age
    ? {
        held: true,
        path: lockDir,
        holder: meta,
        ageHours: Math.round(age.ageHours * 100) / 100,
        pidAlive: meta && !meta.manual ? lockHolderLiveness(meta).alive : null,
        stale: age.stale,
      }
    : { held: false, path: lockDir };
  const report = latest?.readable ? latest.report : null;
  const unfinished = lastUnfinishedRun(config, report?.runId ?? null, meta);
  const history = statusHistory(config.scratchPath);
  const lines = [
    unfinished
      ? `last run: ${unfinished.runId} (${unfinished.command}, started ${unfinished.startedAt}) did not finish — ${unfinished.running ? 'it is still running' : `crashed or killed${unfinished.stage ? ` during ${unfinished.stage}` : ''}; the next run cleans up what it recorded`}`
      : '',
    report ? `${unfinished ? 'last finished run' : 'last run'}: ${report.runId} — ${report.outcome} (exit ${report.exitCode})` : unfinished ? '' : 'last run: none recorded',
    latest ? `report: ${latest.reportPath}` : '',
    lock.held
      ? `lock: held by ${meta?.manual ? `a manual session of ${meta.manual.user} ("${meta.manual.reason}") on ${meta.hostname} since ${meta.startedAt}; \`rebase-daily unlock\` ends it` : meta ? `run ${meta.runId}, pid ${meta.ownerPid ?? meta.pid} on ${meta.hostname} since ${meta.startedAt}` : 'an unknown run'}${'pidAlive' in lock && lock.pidAlive === false ? ' (process not running; the next run takes the lock over)' : ''}${'stale' in lock && lock.stale ? ' — stale' : ''}`
      : 'lock: free',
    history ? statusHistoryLine(history) : '',
    remoteLock ? remoteLockLine(remoteLock) : '',
  ].filter(Boolean);
  // latest.ok is the last run's own success (exit 0), never just "the report was readable".
  const brief = latest
    ? latest.readable
      ? { readable: true, ok: latest.ok, runId: latest.report.runId, outcome: latest.outcome, exitCode: latest.exitCode, reportPath: latest.reportPath, summaryPath: latest.summaryPath, commandLog: latest.report.commands.log, decision: decisionOf(latest.report), ...(args.full ? { report: latest.report } : {}) }
      : { readable: false, ok: false, reportPath: latest.reportPath, summaryPath: latest.summaryPath, problems: latest.problems }
    : null;
  return emit(io, args, envelope('status', 0, report?.outcome ?? null, { latest: brief, lock, unfinished, history, ...(remoteLock ? { remoteLock } : {}) }), lines.join('\n'));
}

/**
 * The newest recorded run when it never finished (killed, crashed) and is newer than the last
 * report: `status` names it instead of saying no run was recorded. `running` when the lock names it
 * and its process is alive.
 */
function lastUnfinishedRun(config: ResolvedConfig, reportedRunId: string | null, lockMeta: LockMeta | null) {
  const last = recordedRuns(config.scratchPath).at(-1);
  if (!last || last.finishedAt || (reportedRunId && last.runId <= reportedRunId)) return null;
  const running = lockMeta?.runId === last.runId && lockHolderLiveness(lockMeta).alive === true;
  const stage = last.stages.find((s) => s.status === 'running')?.name ?? null;
  return { runId: last.runId, command: last.command, startedAt: last.startedAt, pid: last.pid, host: last.host, stage, running, temporaries: last.temporaries };
}

/**
 * `lock`: hold the lock for manual work — an agent or a human resolving a conflict on the trunk, or
 * the manual fallback — so the scheduled run cannot start under them (it exits 15 and names the
 * hold). Nothing keeps it but the lock directory: `unlock` ends it, and it goes stale like any lock.
 */
function holdLock(io: CliIO, args: ParsedArgs, config: ResolvedConfig): number {
  const lockDir = lockDirFor(config.scratchPath);
  const now = new Date();
  const reason = args.reason?.trim() || 'manual work';
  let user = io.env.USER || io.env.LOGNAME || '';
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  const meta: LockMeta = { runId: `manual-${now.toISOString().replace(/[:.]/g, '-')}`, pid: process.pid, ownerPid: process.pid, hostname: hostname(), startedAt: now.toISOString(), command: 'lock', shas: {}, manual: { reason, user } };
  const r = acquireLock({ lockDir, meta, staleAfterHours: config.lock.staleAfterHours, forceStale: io.env.FORCE_STALE_LOCK === '1' });
  if (!r.acquired) {
    if (!args.json) io.stderr(`rebase-daily: E_LOCK_TAKEN: ${r.message}\n`);
    const data = { lock: { held: true, path: lockDir, holder: r.holder, ageHours: Math.round(r.ageHours * 100) / 100, stale: r.stale, pidAlive: r.pidAlive } };
    return emit(io, args, envelope('lock', EXIT.lockTaken, 'lock-taken', data, [lockTakenRecord(r.message)]), '');
  }
  const overrideNote = r.override ? `\nwarning: broke a stale lock (${r.override.ageHours.toFixed(1)} h old, held by ${r.override.previous?.runId ?? 'an unknown run'}) because FORCE_STALE_LOCK=1` : '';
  const data = { lock: { held: true, path: lockDir, holder: meta, override: r.override } };
  return emit(io, args, envelope('lock', EXIT.ok, null, data), `lock: held for "${reason}" (${lockDir}); runs exit 15 until \`rebase-daily unlock\`${overrideNote}`);
}

/**
 * `unlock`: end a hold taken by `lock`, or remove the lock of a run that died on this host (the next
 * run would take it over too). A live run's lock is refused (exit 15): it ends with its run.
 */
function unlock(io: CliIO, args: ParsedArgs, config: ResolvedConfig): number {
  const lockDir = lockDirFor(config.scratchPath);
  const r = releaseManualHold(lockDir);
  if (r.released && r.dead) {
    return emit(io, args, envelope('unlock', EXIT.ok, null, { lock: { held: false, path: lockDir, released: r.holder, dead: r.dead } }), `lock: removed the lock of run ${r.holder.runId} (${r.holder.command}, since ${r.holder.startedAt}): its holder is dead — ${r.dead}`);
  }
  if (r.released) {
    const { user, reason } = r.holder.manual ?? { user: '?', reason: '?' };
    return emit(io, args, envelope('unlock', EXIT.ok, null, { lock: { held: false, path: lockDir, released: r.holder } }), `lock: released the hold of ${user} ("${reason}", since ${r.holder.startedAt})`);
  }
  if (r.reason === 'free') return emit(io, args, envelope('unlock', EXIT.ok, null, { lock: { held: false, path: lockDir, released: null } }), 'lock: free (nothing to release)');
  if (!args.json) io.stderr(`rebase-daily: E_LOCK_TAKEN: ${r.message}\n`);
  return emit(io, args, envelope('unlock', EXIT.lockTaken, 'lock-taken', { lock: { held: true, path: lockDir, holder: r.holder } }, [lockTakenRecord(r.message)]), '');
}

