import type { ResolvedConfig } from './config.js';
import type { CommandLog, Runner } from './process.js';
import type { Candidate, UndoFile } from './publish-data.js';
import type { RunState, StageName, StageResult } from './run-state.js';

/** Progress lines for humans: stderr, one line per event (TTY gets the same lines; no spinners). */
export interface Progress {
  info(message: string): void;
  warn(message: string): void;
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
  /** Register a temporary worktree/branch so crash recovery and interrupts can remove it. */
  registerTemporary(kind: 'worktree' | 'branch' | 'dir', path: string): void;
  unregisterTemporary(kind: 'worktree' | 'branch' | 'dir', path: string): void;
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

export const nullProgress: Progress = { info() {}, warn() {} };

export function stderrProgress(prefix = 'rebase-daily'): Progress {
  return {
    info: (m) => process.stderr.write(`${prefix}: ${m}\n`),
    warn: (m) => process.stderr.write(`${prefix}: warning: ${m}\n`),
  };
}
