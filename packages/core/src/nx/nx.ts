import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { formatIssues, loadConfigOrThrow } from '../config/config.js';
import { RebaseDailyError, toErrorRecord } from '../errors/errors.js';
import { redactDeep } from '../process/redact.js';
import { STAGES, type StageName } from '../contracts/run-state.js';
import { beginRun, finishRun, foldReplayedStage, isStopped, joinRun, runStage, type ReportWriter, type Session } from '../run/session.js';
import type { RunState } from '../contracts/run-state.js';
import { stderrProgress, type StageImpl } from '../contracts/stage.js';
import { fleetForkRunId } from '../contracts/fleet.js';

/** The slice of Nx's ExecutorContext we use (structural, so core does not depend on @nx/devkit). */
export interface NxContextLike {
  root: string;
  projectName?: string;
  targetName?: string;
  taskGraph?: { tasks: Record<string, unknown>; dependencies: Record<string, (string | { id: string })[]> };
}

/** Options of every stage executor; each package's `executors/<stage>.schema.json` is generated from this. */
export const NxStageOptionsSchema = z
  .object({
    config: z.string().min(1).optional().describe('rebase-daily config file; relative to the workspace root. REBASE_DAILY_CONFIG overrides it.'),
    repo: z.string().min(1).optional().describe("Overrides the config's repo path."),
  })
  .strict();
export type NxStageOptions = z.infer<typeof NxStageOptionsSchema>;

/** The JSON Schema checked in beside each stage executor (Nx validates options with it). */
export function nxStageOptionsJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(NxStageOptionsSchema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
}

/** Parse executor options with the zod schema; Nx's own bookkeeping keys (`__…`) are not ours. */
export function parseNxStageOptions(options: unknown): { ok: true; options: NxStageOptions } | { ok: false; message: string } {
  const own = Object.fromEntries(Object.entries((options ?? {}) as Record<string, unknown>).filter(([k]) => !k.startsWith('__')));
  const parsed = NxStageOptionsSchema.safeParse(own, { reportInput: true });
  return parsed.success ? { ok: true, options: parsed.data } : { ok: false, message: formatIssues(parsed.error.issues, NxStageOptionsSchema).join('; ') };
}

/** In a fleet run (`daily.mjs --all`) every fork gets its own run id, derived from the fleet's. */
function fleetRunIdOf(context: NxContextLike): string | undefined {
  const fleet = process.env.REBASE_DAILY_FLEET_RUN_ID;
  return fleet ? fleetForkRunId(fleet, context.projectName ?? 'rebase') : undefined;
}

const depId = (d: string | { id: string }) => (typeof d === 'string' ? d : d.id);
const targetOf = (taskId: string) => taskId.split(':')[1] ?? '';

/**
 * Where this task sits among the stage tasks of its Nx invocation: the first stage task begins the
 * run (takes the lock), the last one finishes it (report, unlock). A stage target run alone is both.
 */
export function positionInGraph(context: NxContextLike): { first: boolean; last: boolean; stages: StageName[] } {
  const self = `${context.projectName}:${context.targetName}`;
  const graph = context.taskGraph;
  if (!graph) return { first: true, last: true, stages: [context.targetName as StageName] };
  const project = `${context.projectName}:`;
  const stageTasks = Object.keys(graph.tasks).filter((id) => id.startsWith(project) && (STAGES as readonly string[]).includes(targetOf(id)));
  const deps = (id: string) => (graph.dependencies[id] ?? []).map(depId).filter((d) => stageTasks.includes(d));
  return {
    first: deps(self).length === 0,
    last: !stageTasks.some((id) => deps(id).includes(self)),
    stages: STAGES.filter((s) => stageTasks.includes(`${project}${s}`)),
  };
}

/**
 * The body of every stage executor. A stage that stops the run finishes it (cleanup, report,
 * unlock) and fails its task, so Nx reports the stage that failed and runs nothing after it; the
 * task that finishes a run that did not stop returns success only when the run's exit code is 0.
 */
export async function runNxStage(stage: StageName, impl: StageImpl | null, rawOptions: unknown, context: NxContextLike, writeReport: ReportWriter): Promise<{ success: boolean }> {
  const progress = stderrProgress(`rebase-daily ${stage}`);
  const parsedOptions = parseNxStageOptions(rawOptions);
  if (!parsedOptions.ok) {
    progress.error(`E_USAGE: invalid executor options: ${parsedOptions.message}; fix the target's options in project.json`);
    return { success: false };
  }
  const options = parsedOptions.options;
  try {
    const configPath = process.env.REBASE_DAILY_CONFIG ?? options.config;
    const config = loadConfigOrThrow({
      configPath: configPath && !isAbsolute(configPath) ? resolve(context.root, configPath) : configPath,
      repo: options.repo,
      cwd: context.root,
    });
    const pos = positionInGraph(context);
    const session = pos.first
      ? await beginRun(config, { command: `nx:${context.targetName}`, runId: fleetRunIdOf(context), stages: pos.stages.includes('report') ? pos.stages : [...pos.stages, 'report'], ownerPid: pos.last ? process.pid : process.ppid, progress })
      : joinRun(config, process.ppid, progress);
    if (session.state.outcome === 'lock-taken') {
      // Not our run: finish only our refused record, never touch the holder's state.
      const state = await finishRun(session, writeReport);
      progress.error(`exit ${state.exitCode}: ${state.errors[0]?.message ?? 'lock taken'}`);
      return { success: false };
    }
    if (!pos.first) await foldReplays(session, context, pos.stages, stage);
    if (stage !== 'report' && impl) {
      const file = stageResultFile(context.root, context.projectName ?? 'rebase', stage);
      rmSync(file, { force: true });
      await runStage(session, stage, impl);
      await writeStageResult(session, file, stage);
    }
    // The stage that stops the run finishes it here (cleanup, report, unlock) and fails its own
    // task, so Nx names it (`Failed tasks: rebase:verify`) and skips the tasks after it.
    if (!pos.last && !isStopped(session.state)) return { success: true };
    const state = await finishRun(session, writeReport);
    progress.info(`run ${state.runId}: ${state.outcome} (exit ${state.exitCode})${state.reportDir ? `; report in ${state.reportDir}` : ''}`);
    return { success: state.exitCode === 0 && !isStopped(state) };
  } catch (err) {
    const rec = toErrorRecord(err);
    progress.error(`${rec.code}: ${rec.message}`);
    return { success: false, ...(err instanceof RebaseDailyError ? {} : {}) };
  }
}

interface StageResultFile {
  runId: string;
  trunkTree: string | null;
  record: RunState['stages'][number];
  outcome: RunState['outcome'];
}

/**
 * Where a stage task leaves its result for Nx to cache (declare it as the target's `outputs`).
 * When Nx replays a cached task the executor does not run; the next task of the graph folds the
 * restored file into the run state instead.
 */
export function stageResultFile(root: string, project: string, stage: StageName): string {
  return join(root, '.nx', 'rebase-daily', project, `${stage}.json`);
}

async function trunkTree(session: Session): Promise<string | null> {
  const r = await session.run('git', ['rev-parse', '--verify', '--quiet', `refs/heads/${session.config.trunk}^{tree}`], { cwd: session.config.repoPath });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

async function writeStageResult(session: Session, file: string, stage: StageName): Promise<void> {
  const record = session.state.stages.find((s) => s.name === stage)!;
  const content: StageResultFile = { runId: session.state.runId, trunkTree: await trunkTree(session), record, outcome: session.state.stoppedBy === stage ? session.state.outcome : null };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(redactDeep(content), null, 2)}\n`);
}

/** Earlier stages of this graph still `pending` were replayed by Nx: fold their cached results. */
async function foldReplays(session: Session, context: NxContextLike, stages: StageName[], current: StageName): Promise<void> {
  for (const name of stages) {
    if (name === current) break;
    const record = session.state.stages.find((s) => s.name === name);
    if (!record || record.status !== 'pending' || isStopped(session.state)) continue;
    const file = stageResultFile(context.root, context.projectName ?? 'rebase', name);
    const cached = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StageResultFile) : null;
    const tree = await trunkTree(session);
    if (cached && cached.trunkTree && cached.trunkTree === tree) {
      foldReplayedStage(session, name, cached.record, cached.outcome, `replayed from the Nx cache (tree ${tree.slice(0, 12)} recorded by run ${cached.runId})`, cached.runId);
    } else {
      foldReplayedStage(session, name, null, null, `Nx skipped ${name} but left no result for tree ${tree?.slice(0, 12) ?? '(none)'}; rerun with --skip-nx-cache`);
    }
  }
}
