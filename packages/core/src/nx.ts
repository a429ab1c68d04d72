import { isAbsolute, resolve } from 'node:path';
import { loadConfigOrThrow } from './config.js';
import { RebaseDailyError, toErrorRecord } from './errors.js';
import { STAGES, type StageName } from './run-state.js';
import { beginRun, finishRun, isStopped, joinRun, runStage, type ReportWriter } from './session.js';
import { stderrProgress, type StageImpl } from './stage.js';

/** The slice of Nx's ExecutorContext we use (structural, so core does not depend on @nx/devkit). */
export interface NxContextLike {
  root: string;
  projectName?: string;
  targetName?: string;
  taskGraph?: { tasks: Record<string, unknown>; dependencies: Record<string, (string | { id: string })[]> };
}

export interface NxStageOptions {
  /** Config file; relative paths resolve against the workspace root. REBASE_DAILY_CONFIG overrides it. */
  config?: string;
  repo?: string;
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
 * The body of every stage executor. A stage that stops the run records it in the run state and
 * still reports success to Nx, so the graph reaches `report`; the task that finishes the run
 * returns success only when the run's exit code is 0 (then `nx run` exits non-zero on any stop).
 */
export async function runNxStage(stage: StageName, impl: StageImpl | null, options: NxStageOptions, context: NxContextLike, writeReport?: ReportWriter): Promise<{ success: boolean }> {
  const progress = stderrProgress(`rebase-daily ${stage}`);
  try {
    const configPath = process.env.REBASE_DAILY_CONFIG ?? options.config;
    const config = loadConfigOrThrow({
      configPath: configPath && !isAbsolute(configPath) ? resolve(context.root, configPath) : configPath,
      repo: options.repo,
      cwd: context.root,
    });
    const pos = positionInGraph(context);
    const session = pos.first
      ? await beginRun(config, { command: `nx:${context.targetName}`, stages: pos.stages.includes('report') ? pos.stages : [...pos.stages, 'report'], ownerPid: pos.last ? process.pid : process.ppid, progress })
      : joinRun(config, process.ppid, progress);
    if (session.state.outcome === 'lock-taken') {
      // Not our run: finish only our refused record, never touch the holder's state.
      const state = await finishRun(session, writeReport);
      progress.warn(`exit ${state.exitCode}: ${state.errors[0]?.message ?? 'lock taken'}`);
      return { success: false };
    }
    if (stage !== 'report' && impl) await runStage(session, stage, impl);
    if (!pos.last) return { success: true };
    const state = await finishRun(session, writeReport);
    progress.info(`run ${state.runId}: ${state.outcome} (exit ${state.exitCode})${state.reportDir ? `; report in ${state.reportDir}` : ''}`);
    return { success: state.exitCode === 0 && !isStopped(state) };
  } catch (err) {
    const rec = toErrorRecord(err);
    progress.warn(`${rec.code}: ${rec.message}`);
    return { success: false, ...(err instanceof RebaseDailyError ? {} : {}) };
  }
}
