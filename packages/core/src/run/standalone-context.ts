import { existsSync, rmdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { undoCandidates, unpublished } from '../recovery/candidates.js';
import type { ResolvedConfig } from '../config/config.js';
import { newRunId, runPaths } from '../config/paths.js';
import { CommandLog, type Runner } from '../process/process.js';
import { undoTemporaries } from '../repo/repo-guard.js';
import type { RunState, StageName } from '../contracts/run-state.js';
import { createRunState } from './session.js';
import { nullProgress, type Progress, type StageContext } from '../contracts/stage.js';
import { recordsInto } from '../contracts/stage-records.js';
import { saveState } from '../contracts/state-file.js';

export interface StandaloneOptions {
  config: ResolvedConfig;
  run: Runner;
  /** What the record names as its command, e.g. `resolve finish`. */
  command: string;
  stages: StageName[];
  commandLog?: CommandLog;
  progress?: Progress;
  /** Where the stage writes its artifacts; default the record's own run folder. */
  runDir?: string;
  signal?: AbortSignal;
  runId?: string;
}

export interface StandaloneStage {
  ctx: StageContext;
  /** The live record: `<scratch>/rebase-daily/runs/<runId>/state.json`. */
  state: RunState;
  stateFile: string;
  /**
   * Undo what is still recorded (temporaries the stage did not release; with `undoCandidates`, the
   * refs it moved, kept as candidate refs), then drop the record. A record with anything left that
   * could not be undone stays, unfinished, for the next run's cleanup.
   */
  close(options?: { undoCandidates?: boolean }): Promise<{ actions: string[]; problems: string[] }>;
}

/**
 * A StageContext for running one stage outside the pipeline (a stage inside `resolve finish`, a
 * library example) with REAL records: temporaries and candidates are saved to a run state under the
 * scratch dir before the stage creates or moves them, so a crash (kill -9) leaves a record that the
 * next run's cleanup — `cleanLeftovers` and `recoverCrashedCandidates`, the same as after a crashed
 * daily run — acts on, and nothing else. Call `close()` when the stage returns.
 */
export function standaloneStageContext(o: StandaloneOptions): StandaloneStage {
  const runId = o.runId ?? newRunId();
  const state = createRunState(o.config, { command: o.command, stages: o.stages }, runId);
  const stateFile = runPaths(o.config.scratchPath, runId).state;
  saveState(state);
  const ctx: StageContext = {
    config: o.config,
    state: structuredClone(state),
    run: o.run,
    commandLog: o.commandLog ?? new CommandLog(),
    progress: o.progress ?? nullProgress,
    runDir: o.runDir ?? runPaths(o.config.scratchPath, runId).runDir,
    signal: o.signal ?? new AbortController().signal,
    ...recordsInto(state),
  };
  const close: StandaloneStage['close'] = async (options = {}) => {
    const undone = await undoTemporaries(o.run, o.config.repoPath, state.temporaries);
    state.temporaries = undone.left;
    const actions = [...undone.actions];
    const problems = [...undone.problems];
    if (options.undoCandidates && unpublished(state.candidates).length) {
      const back = await undoCandidates(o.run, o.config.repoPath, runId, state.candidates, state.undoFiles);
      actions.push(...back.actions);
      problems.push(...back.problems);
    }
    if (problems.length) {
      saveState(state);
      return { actions, problems };
    }
    rmSync(stateFile, { force: true });
    // The run folder goes too when nothing else was written there (no artifacts, no logs).
    try {
      if (existsSync(dirname(stateFile))) rmdirSync(dirname(stateFile));
    } catch {
      // artifacts of the stage: they stay
    }
    return { actions, problems };
  };
  return { ctx, state, stateFile, close };
}
