import type { ResolvedConfig } from '../config/config.js';
import type { CommandLog, Runner } from '../process/process.js';
import type { Candidate, UndoFile } from './publish-data.js';
import { redact } from '../process/redact.js';
import type { RunState, StageName, StageResult, Temporary } from './run-state.js';

/** Progress lines for humans: stderr, one line per event (TTY gets the same lines; no spinners). */
export interface Progress {
  info(message: string): void;
  warn(message: string): void;
  /** A fatal problem: the run stops (never printed as a warning). */
  error(message: string): void;
}

/** Everything a stage implementation gets. Stages never spawn processes except through `run`. */
export interface StageContext {
  config: ResolvedConfig;
  /** A read-only snapshot of the run so far (pin from verify, shas.before, earlier stages). */
  state: Readonly<RunState>;
  run: Runner;
  commandLog: CommandLog;
  progress: Progress;
  /** This run's folder: `<scratch>/rebase-daily/runs/<runId>/` (logs, diffs, artifacts). */
  runDir: string;
  /** Aborted on SIGINT/SIGTERM: stop starting new work and clean up. */
  signal: AbortSignal;
  /**
   * Record a temporary worktree/branch/dir, or an operation (a rebase) about to start in the
   * worktree at `path`, BEFORE creating or starting it: cleanup (at the end, on an interrupt, or by
   * the next run after a crash) undoes exactly what is recorded and nothing else.
   */
  registerTemporary(kind: Temporary['kind'], path: string, detail?: Omit<Temporary, 'kind' | 'path'>): void;
  unregisterTemporary(kind: Temporary['kind'], path: string): void;
  /**
   * Record (or update, by branch) a ref this run moves: call it before the move (status
   * `recorded`) and after (`moved`), so a crash in between is recognised by the next run.
   */
  recordCandidate(candidate: Candidate): void;
  /** A file to put back when the candidates are undone (saved beside the run before it changes). */
  recordUndoFile(file: UndoFile): void;
}

export type StageImpl = (ctx: StageContext) => Promise<StageResult>;

export type StageImpls = Partial<Record<Exclude<StageName, 'report'>, StageImpl>>;

export const nullProgress: Progress = { info() {}, warn() {}, error() {} };

export function stderrProgress(prefix = 'rebase-daily'): Progress {
  return {
    info: (m) => process.stderr.write(`${prefix}: ${redact(m)}\n`),
    warn: (m) => process.stderr.write(`${prefix}: warning: ${redact(m)}\n`),
    error: (m) => process.stderr.write(`${prefix}: error: ${redact(m)}\n`),
  };
}
