import { join } from 'node:path';

/** Where a run keeps its files, all under `<scratch>/rebase-daily/`. */
export function runPaths(scratchPath: string, runId?: string) {
  const base = join(scratchPath, 'rebase-daily');
  return {
    base,
    activeRun: join(base, 'active-run.json'),
    lastVerify: join(base, 'last-verify.json'),
    /** Candidates a run left moved and unpublished (push.enabled false, `apply` alone), for `publish`. */
    lastCandidates: join(base, 'last-candidates.json'),
    runsDir: join(base, 'runs'),
    runDir: runId ? join(base, 'runs', runId) : '',
    state: runId ? join(base, 'runs', runId, 'state.json') : '',
    commandLog: runId ? join(base, 'runs', runId, 'commands.jsonl') : '',
    worktrees: join(scratchPath, 'worktrees'),
  };
}

/** Local calendar date of a timestamp, YYYY-MM-DD (the day folder a cron user looks for). */
export function localDate(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Sortable, unique run id: 20261127T080102Z-4242-ab12. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${process.pid}-${Math.random().toString(16).slice(2, 6)}`;
}

/**
 * Temporary branches rebase-daily creates live under this prefix, so a later run recognises the
 * leftovers of a crashed one (and deletes them with the lock held).
 */
export const TEMP_BRANCH_PREFIX = 'rebase-daily/';
