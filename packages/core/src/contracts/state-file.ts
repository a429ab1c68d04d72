import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { runPaths } from '../config/paths.js';
import { redactDeep } from '../process/redact.js';
import { RunStateSchema, type RunState } from './run-state.js';

/** Write JSON atomically (temp file + rename): a crash leaves the old file or the new one. */
export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}

/** A run's `state.json`, written atomically and redacted like every other output of a run. */
export function saveState(state: RunState): void {
  writeJsonAtomic(runPaths(state.scratchDir, state.runId).state, redactDeep(state));
}

/** One run's state, or null when it is missing or does not parse. */
export function loadState(scratchPath: string, runId: string): RunState | null {
  const file = runPaths(scratchPath, runId).state;
  if (!existsSync(file)) return null;
  try {
    const parsed = RunStateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    // a state file being written, or damaged: nothing recorded can be trusted from it
    return null;
  }
}

/** The run states recorded under the scratch dir, oldest first (run ids sort by start time); unreadable ones skipped. */
export function recordedRuns(scratchPath: string): RunState[] {
  const dir = runPaths(scratchPath).runsDir;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((id) => loadState(scratchPath, id))
    .filter((s): s is RunState => s !== null);
}
