import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { errors, firstLine, type RebaseDailyError, runPaths, shortSha, type StageContext, type StageImpl, type StageResult, toErrorRecord, type ValidateData as ValidateDataContract } from '@rebase-daily/core';
import { attributeCrates, crateResults, type CargoMetadata, type CrateResult } from './attribute-crates.js';
import { validateCacheKey } from './cache-key.js';
import { allChanged, changedFiles, noChanges, restoreFiles, saveDiff } from './changed-files.js';
import { parseCargoTestOutput, type CargoTestReport, type Diagnostic, type TestBinary } from './parse-cargo-test.js';
import { defaultToolSearchDirs, resolveTool, toolMissingError, type ResolveToolOptions } from './resolve-tool.js';
import { runStep } from './run-step.js';
import { runTestStep } from './run-test-step.js';
import { attributeByBuiltTargets, type BuiltTarget } from './test-executables.js';
import { prepareValidationTree, releaseValidationTree, type ValidationTree } from './validation-tree.js';
import { hasJustfile } from './justfile.js';
import { cargoLockfilesToRecord } from './cargo-outputs.js';

export type FailureReason = 'format-changed-files' | 'format-failed' | 'compile-error' | 'tests-failed' | 'timeout' | 'step-failed';

export interface StepRecord {
  name: string;
  argv: string[];
  status: 'ok' | 'failed' | 'timed-out' | 'changed-files';
  exitCode: number;
  durationMs: number;
  logFile: string;
  reason?: FailureReason;
}

/** A catalog error as the stage records it: its code and message. */
const codeAndMessage = (e: RebaseDailyError) => ({ code: e.code, message: e.message });

/** `data` of the validate stage record: core's ValidateData contract (the report renders it), with this package's own types. */
export interface ValidateData extends ValidateDataContract {
  cached: boolean;
  cacheKey: string | null;
  trunk: string;
  commit: string;
  tree: string;
  worktree: { kind: 'primary' | 'dedicated'; path: string; why: string };
  workdir: string;
  targetDir: string;
  steps: StepRecord[];
  format: { argv: string[] | null; changedFiles: string[]; diffPath: string | null } | null;
  tests: {
    logFile: string;
    totals: CargoTestReport['totals'];
    crates: CrateResult[];
    binaries: CargoTestReport['binaries'];
    failingTests: { crate: string | null; binary: string; test: string }[];
    compileFailures: CargoTestReport['compileFailures'];
    diagnostics: Diagnostic[];
  } | null;
  reasons: FailureReason[];
  /** Files a step changed that were not formatting findings (e.g. Cargo.lock rewritten); restored. */
  restoredFiles: string[];
}

export interface ValidateStageOptions {
  /** Where to look for just/cargo/timeout (tests point this at an empty PATH). */
  tools?: ResolveToolOptions;
  /** Extra environment for every step (merged over process.env by the seam). */
  env?: NodeJS.ProcessEnv;
  /** Replay a recorded success for an unchanged tree + config + toolchain (default true). */
  cache?: boolean;
}


/** The persistent cargo target dir: config `validate.targetDir`, else `CARGO_TARGET_DIR`, else `<scratch>/cargo-target`. */
export function resolveTargetDir(targetDir: string | undefined, repoPath: string, scratchPath: string, env: NodeJS.ProcessEnv = process.env): string {
  if (targetDir) return isAbsolute(targetDir) ? targetDir : resolve(repoPath, targetDir);
  if (env.CARGO_TARGET_DIR) return resolve(env.CARGO_TARGET_DIR);
  return join(scratchPath, 'cargo-target');
}

/** Where successful validations are recorded, one file per cache key. */
export function validateCachePath(scratchPath: string, key: string): string {
  return join(runPaths(scratchPath).base, 'validate-cache', `${key}.json`);
}

/**
 * How many validations of this key have failed. It is part of the Nx cache input
 * (`bin/tree-hash.mjs --nx`), so an Nx cache entry recorded by a failing run is never looked up
 * again: the next run's input differs.
 */
export function validateFailureCountPath(scratchPath: string, key: string): string {
  return join(runPaths(scratchPath).base, 'validate-cache', `${key}.failures`);
}

function recordFailure(scratchPath: string, key: string): void {
  const path = validateFailureCountPath(scratchPath, key);
  mkdirSync(dirname(path), { recursive: true });
  const n = existsSync(path) ? Number.parseInt(readFileSync(path, 'utf8'), 10) || 0 : 0;
  writeFileSync(path, `${n + 1}\n`);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Build the validate stage; `validateStage` is this with defaults. */
export function createValidateStage(options: ValidateStageOptions = {}): StageImpl {
  return async (ctx) => {
    const v = ctx.config.validate;
    if (!v) return { status: 'not-configured', summary: 'no "validate" section in the config; formatting and tests were not run' };
    const { run, config } = ctx;
    const repo = config.repoPath;
    const toolOpts: ResolveToolOptions = { path: options.env?.PATH ?? options.tools?.path, searchDirs: options.tools?.searchDirs ?? [repo, ...defaultToolSearchDirs()] };

    const cargo = resolveTool('cargo', toolOpts);
    if (!cargo) return toolFailure(toolMissingError('cargo', 'cargo fmt and cargo test'));

    // Cargo.lock files cargo will create in a fork that commits none: on record before any cargo runs.
    for (const lock of await cargoLockfilesToRecord(run, repo, resolve(repo, v.cwd), `refs/heads/${config.trunk}`)) ctx.registerTemporary('dir', lock);
    const key = options.cache === false ? null : await validateCacheKey(config, repo, { run, cargo });
    if (key) {
      const recorded = readRecord(validateCachePath(config.scratchPath, key.key));
      if (recorded) {
        ctx.progress.info(`tree ${shortSha(key.tree)} already validated (run ${recorded.runId}); replaying, cargo not run`);
        return {
          status: 'ok',
          summary: `tree ${shortSha(key.tree)} already passed validation in run ${recorded.runId} (same config and toolchain); replayed, cargo not run`,
          data: { ...recorded.data, cached: true, cachedFrom: recorded.runId },
        };
      }
    }

    const prepared = await prepareValidationTree({
      run,
      repo,
      trunk: config.trunk,
      scratchPath: config.scratchPath,
      mode: v.worktree,
      register: (kind, path) => ctx.registerTemporary(kind, path),
    });
    if (!prepared.ok) return { status: 'failed', outcome: 'error', summary: prepared.message, errors: [codeAndMessage(errors.validateWorktree(prepared.message))] };
    const tree = prepared.tree;
    ctx.progress.info(`validating ${config.trunk} @ ${shortSha(tree.commit)} in the ${tree.kind} worktree (${tree.why})`);
    try {
      return await validateIn(ctx, tree, { cargo, toolOpts, env: options.env ?? {}, cacheKey: key?.key ?? null });
    } catch (err) {
      return { status: 'failed', outcome: 'error', summary: `validation crashed: ${firstLine((err as Error).message ?? String(err))}`, errors: [toErrorRecord(err)] };
    } finally {
      // Never leave the primary worktree dirty, whatever happened above.
      if (tree.kind === 'primary') {
        const left = await changedFiles(run, tree.root);
        if (!noChanges(left)) await restoreFiles(run, tree.root, left);
      }
      await releaseValidationTree(run, repo, tree, (kind, path) => ctx.unregisterTemporary(kind, path));
    }
  };
}

/** The validate stage with default options. */
export const validateStage: StageImpl = createValidateStage();

function toolFailure(err: RebaseDailyError): StageResult {
  return { status: 'failed', outcome: 'error', summary: err.message, errors: [err.toJSON()], nextActions: [err.message] };
}

function readRecord(path: string): { runId: string; data: Record<string, unknown> } | null {
  if (!existsSync(path)) return null;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { runId: string; data: Record<string, unknown>; status: string };
    return parsed.status === 'ok' ? parsed : null;
  } catch {
    return null;
  }
}

interface Inner {
  cargo: string;
  toolOpts: ResolveToolOptions;
  env: NodeJS.ProcessEnv;
  cacheKey: string | null;
}

/** Where and with what environment the steps run, and the steps themselves with their resolved programs. */
interface Plan {
  workdir: string;
  logDir: string;
  targetDir: string;
  env: NodeJS.ProcessEnv;
  formatArgv: string[] | null;
  steps: PlannedStep[];
}
interface PlannedStep {
  name: string;
  /** As configured (what the report shows). */
  argv: string[];
  /** With the program resolved (what runs). */
  resolved: string[];
  timeoutSeconds: number;
  kind: 'format' | 'test' | 'extra';
}

/** A phase hands on its result, or a StageResult that ends the stage. */
function ends<T extends object>(r: T | StageResult): r is StageResult {
  return 'status' in r;
}

/** Validate the prepared tree: plan every step → run them in order → conclude (cache, summary, next actions). */
async function validateIn(ctx: StageContext, tree: ValidationTree, inner: Inner): Promise<StageResult> {
  const plan = await planSteps(ctx, tree, inner);
  if (ends(plan)) return plan;
  const data: ValidateData = {
    cached: false,
    cacheKey: inner.cacheKey,
    trunk: ctx.config.trunk,
    commit: tree.commit,
    tree: tree.tree,
    worktree: { kind: tree.kind, path: tree.root, why: tree.why },
    workdir: plan.workdir,
    targetDir: plan.targetDir,
    steps: [],
    format: plan.formatArgv ? { argv: plan.formatArgv, changedFiles: [], diffPath: null } : null,
    tests: null,
    reasons: [],
    restoredFiles: [],
  };
  for (const step of plan.steps) {
    if (ctx.signal.aborted) break;
    const record = await runPlannedStep(ctx, tree, inner, plan, step, data);
    if (record.reason) data.reasons.push(record.reason);
    data.steps.push(record);
    // A formatting finding does not stop the tests (they run on the committed tree); any other failure does.
    if (record.status !== 'ok' && record.reason !== 'format-changed-files') break;
  }
  return conclude(ctx, inner, data);
}

/**
 * The working directory, log folder, target dir and environment, and every step with its program
 * resolved — all decided before any step runs, so a missing tool fails fast with nothing half-done.
 */
async function planSteps(ctx: StageContext, tree: ValidationTree, inner: Inner): Promise<Plan | StageResult> {
  const v = ctx.config.validate!;
  const workdir = resolve(tree.root, v.cwd);
  if (!existsSync(workdir)) {
    const message = `validate.cwd "${v.cwd}" does not exist in ${ctx.config.trunk}; fix "validate.cwd" in the config`;
    return { status: 'failed', outcome: 'error', summary: message, errors: [codeAndMessage(errors.validateCwd(message))] };
  }
  const logDir = join(ctx.runDir, 'validate');
  mkdirSync(logDir, { recursive: true });
  const targetDir = resolveTargetDir(v.targetDir, ctx.config.repoPath, ctx.config.scratchPath, { ...process.env, ...inner.env });
  // Put cargo's directory first on PATH so `just fmt` recipes find the same cargo we resolved.
  const basePath = inner.env.PATH ?? process.env.PATH ?? '';
  const env: NodeJS.ProcessEnv = { ...inner.env, CARGO_TARGET_DIR: targetDir, PATH: [dirname(inner.cargo), basePath].filter(Boolean).join(delimiter) };

  const formatArgv = v.format === false ? null : (v.format ?? (await defaultFormat(ctx, tree.root, workdir, env, inner)));
  const wanted: Omit<PlannedStep, 'resolved'>[] = [];
  if (formatArgv) wanted.push({ name: 'fmt', argv: formatArgv, timeoutSeconds: v.timeoutSeconds, kind: 'format' });
  wanted.push({ name: 'test', argv: v.test, timeoutSeconds: v.timeoutSeconds, kind: 'test' });
  for (const s of v.extraSteps) wanted.push({ name: s.name, argv: s.command, timeoutSeconds: s.timeoutSeconds ?? v.timeoutSeconds, kind: 'extra' });
  const steps: PlannedStep[] = [];
  for (const w of wanted) {
    const resolved = resolveArgv(w.argv, `the ${w.name} step`, inner);
    if (!Array.isArray(resolved)) return toolFailure(resolved);
    steps.push({ ...w, resolved });
  }
  return { workdir, logDir, targetDir, env, formatArgv, steps };
}

/** `cargo` is the cargo resolved for the stage; any other program is looked up like just and timeout. */
function resolveArgv(argv: string[], what: string, inner: Inner): string[] | RebaseDailyError {
  if (argv[0] === 'cargo') return [inner.cargo, ...argv.slice(1)];
  const bin = resolveTool(argv[0], inner.toolOpts);
  return bin ? [bin, ...argv.slice(1)] : toolMissingError(argv[0], what);
}

/**
 * Run one step, then: files it changed are a finding (formatting: diff kept, files put back) or
 * restored; a test step's output becomes `data.tests`; the record says why it failed, if it did.
 */
async function runPlannedStep(ctx: StageContext, tree: ValidationTree, inner: Inner, plan: Plan, p: PlannedStep, data: ValidateData): Promise<StepRecord> {
  const { run } = ctx;
  const safeName = p.name.replace(/[^A-Za-z0-9._-]/g, '_');
  ctx.progress.info(`${p.name}: ${p.argv.join(' ')}`);
  const stepOptions = { run, argv: p.resolved, cwd: plan.workdir, env: plan.env, timeoutSeconds: p.timeoutSeconds, logFile: join(plan.logDir, `${safeName}.log`) };
  const step = p.kind === 'test' ? await runTestStep({ ...stepOptions, configured: p.argv }) : { ...(await runStep(stepOptions)), built: null };
  const record: StepRecord = { name: p.name, argv: p.argv, status: 'ok', exitCode: step.exitCode, durationMs: step.durationMs, logFile: step.logFile };
  const changes = await changedFiles(run, tree.root);

  if (p.kind === 'format' && !noChanges(changes)) {
    // Formatting rewrote files: a finding. Keep the diff, put the files back, fail the gate.
    const diffPath = join(plan.logDir, 'fmt.diff');
    await saveDiff(run, tree.root, changes, diffPath);
    await restoreFiles(run, tree.root, changes);
    data.format = { argv: p.argv, changedFiles: allChanged(changes), diffPath };
    record.status = 'changed-files';
    record.reason = 'format-changed-files';
  } else if (!noChanges(changes)) {
    data.restoredFiles.push(...allChanged(changes));
    await restoreFiles(run, tree.root, changes);
  }

  if (p.kind === 'test') {
    const log = readFileSync(step.logFile, 'utf8');
    const report = parseCargoTestOutput(log);
    const binaries = await attribute(ctx, report, step.built, { cargo: inner.cargo, workdir: plan.workdir, env: plan.env });
    data.tests = {
      logFile: step.logFile,
      totals: report.totals,
      crates: crateResults(binaries),
      binaries,
      failingTests: binaries.flatMap((b) => b.failingTests.map((test) => ({ crate: b.crate, binary: b.name, test }))),
      compileFailures: report.compileFailures,
      diagnostics: report.diagnostics,
    };
  }

  if (step.timedOut) {
    record.status = 'timed-out';
    record.reason = 'timeout';
  } else if (step.exitCode !== 0) {
    record.status = 'failed';
    if (p.kind === 'format') record.reason = 'format-failed';
    else if (p.kind === 'test' && data.tests?.compileFailures.length) record.reason = 'compile-error';
    else if (p.kind === 'test' && (data.tests?.totals.failed ?? 0) > 0) record.reason = 'tests-failed';
    else record.reason = 'step-failed';
  }
  return record;
}

/** The stage's result: interrupted, passed (recorded in the validation cache) or failed (counted, with next actions). */
function conclude(ctx: StageContext, inner: Inner, data: ValidateData): StageResult {
  if (ctx.signal.aborted) {
    return { status: 'failed', outcome: 'error', summary: 'validation interrupted; worktree restored', data: { ...data }, errors: [{ code: errors.interrupted('a signal').code, message: 'validation interrupted' }] };
  }
  const warnings = data.restoredFiles.length
    ? [`validation steps changed ${data.restoredFiles.join(', ')} (restored); commit the update on the trunk if it is intended (e.g. Cargo.lock)`]
    : undefined;
  if (data.reasons.length === 0) {
    const summary = okSummary(data);
    if (inner.cacheKey) {
      const path = validateCachePath(ctx.config.scratchPath, inner.cacheKey);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, `${JSON.stringify({ status: 'ok', runId: ctx.state.runId, validatedAt: new Date().toISOString(), summary, data }, null, 2)}\n`);
    }
    return { status: 'ok', summary, data: { ...data }, warnings };
  }
  if (inner.cacheKey) recordFailure(ctx.config.scratchPath, inner.cacheKey);
  return {
    status: 'failed',
    outcome: 'validation-failed',
    summary: failSummary(data),
    data: { ...data },
    warnings,
    nextActions: nextActions(data, ctx.config.trunk),
  };
}

async function defaultFormat(ctx: StageContext, root: string, workdir: string, env: NodeJS.ProcessEnv, inner: Inner): Promise<string[]> {
  if (![workdir, root].some(hasJustfile)) return ['cargo', 'fmt', '--all'];
  const just = resolveTool('just', inner.toolOpts);
  // With a justfile, `just fmt` is the project's own definition of formatting; without just installed
  // that is a missing tool (reported by the caller), not a reason to silently use another formatter.
  if (!just) return ['just', 'fmt'];
  const summary = await ctx.run(just, ['--summary'], { cwd: workdir, env });
  return summary.exitCode === 0 && summary.stdout.split(/\s+/).includes('fmt') ? ['just', 'fmt'] : ['cargo', 'fmt', '--all'];
}

/**
 * Name each binary's package: exactly, from what the `--no-run` build reported; the rest (another
 * test command, doc-tests of an unusual target) from `cargo metadata` by target name and source file.
 */
async function attribute(ctx: StageContext, report: CargoTestReport, built: BuiltTarget[] | null, at: { cargo: string; workdir: string; env: NodeJS.ProcessEnv }): Promise<TestBinary[]> {
  let binaries = built ? attributeByBuiltTargets(report.binaries, built, at.workdir) : report.binaries;
  if (binaries.some((b) => b.crate === null || (b.kind === 'doc' && !built))) {
    const metadata = await cargoMetadata(ctx, at.cargo, at.workdir, at.env);
    binaries = attributeCrates({ ...report, binaries }, metadata);
  }
  return binaries;
}

async function cargoMetadata(ctx: StageContext, cargo: string, cwd: string, env: NodeJS.ProcessEnv): Promise<CargoMetadata | null> {
  const r = await ctx.run(cargo, ['metadata', '--no-deps', '--format-version', '1', '--offline'], { cwd, env, timeoutMs: 120_000 });
  if (r.exitCode !== 0) return null;
  try {
    return JSON.parse(r.stdout) as CargoMetadata;
  } catch {
    return null;
  }
}

function okSummary(d: ValidateData): string {
  const t = d.tests!.totals;
  const crates = d.tests!.crates.map((c) => `${c.crate} ${c.passed}✓`).join(', ');
  const fmt = d.format ? 'formatting clean; ' : '';
  return `${d.trunk} @ ${shortSha(d.commit)} validated in the ${d.worktree.kind} worktree: ${fmt}${t.binaries} test ${t.binaries === 1 ? 'binary' : 'binaries'}, ${t.passed} passed, ${t.failed} failed, ${t.ignored} ignored${crates ? ` (${crates})` : ''}`;
}

function failSummary(d: ValidateData): string {
  const parts: string[] = [];
  for (const reason of d.reasons) {
    const step = d.steps.find((s) => s.reason === reason)!;
    if (reason === 'format-changed-files') parts.push(`formatting changed ${plural(d.format!.changedFiles.length, 'file')} (${d.format!.changedFiles.slice(0, 5).join(', ')}); diff: ${d.format!.diffPath}`);
    else if (reason === 'format-failed') parts.push(`the format step \`${step.argv.join(' ')}\` failed (exit ${step.exitCode}); log: ${step.logFile}`);
    else if (reason === 'compile-error') parts.push(`compile error in ${[...new Set(d.tests!.compileFailures.map((c) => c.crate))].join(', ')}${d.tests!.diagnostics[0] ? `: ${d.tests!.diagnostics[0].code ? `error[${d.tests!.diagnostics[0].code}] ` : ''}${d.tests!.diagnostics[0].message}${d.tests!.diagnostics[0].location ? ` at ${d.tests!.diagnostics[0].location}` : ''}` : ''}; log: ${step.logFile}`);
    else if (reason === 'tests-failed') {
      const names = d.tests!.failingTests.map((f) => `${f.crate ?? f.binary}: ${f.test}`);
      parts.push(`${plural(d.tests!.totals.failed, 'test')} failed (${names.slice(0, 5).join('; ')}${names.length > 5 ? `; and ${names.length - 5} more` : ''}); log: ${step.logFile}`);
    } else if (reason === 'timeout') parts.push(`step ${step.name} timed out after ${Math.round(step.durationMs / 1000)}s (limit per step: validate.timeoutSeconds); log: ${step.logFile}`);
    else parts.push(`step ${step.name} \`${step.argv.join(' ')}\` failed (exit ${step.exitCode}); log: ${step.logFile}`);
  }
  return `validation failed: ${parts.join('; ')}`;
}

function nextActions(d: ValidateData, trunk: string): string[] {
  const actions = ['validation failed, so no further branches are pushed after this stage; the trunk stays where it is until a human looks'];
  if (d.reasons.includes('format-changed-files')) actions.push(`run the format step (\`${d.format!.argv!.join(' ')}\`) on ${trunk}, commit the result (diff: ${d.format!.diffPath}), then rerun`);
  if (d.reasons.includes('compile-error') || d.reasons.includes('tests-failed')) actions.push(`fix the failures on ${trunk} (log: ${d.tests!.logFile}), then rerun \`rebase-daily validate\``);
  if (d.reasons.includes('timeout')) actions.push('find the hanging test in the step log, or raise validate.timeoutSeconds, then rerun');
  if (d.reasons.includes('step-failed') || d.reasons.includes('format-failed')) actions.push('read the failing step log, fix the cause, then rerun');
  return actions;
}
