/**
 * Exit codes and run outcomes: the contract between rebase-daily and whoever runs it (cron, an
 * operator agent, a human). Defined once; the CLI and the Nx executors both map through here.
 */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  verifyConflict: 10,
  applyConflict: 11,
  pushBlocked: 12,
  graphiteFailed: 13,
  validationFailed: 14,
  lockTaken: 15,
  partial: 16,
  /** `resolve`: not ready yet (markers left, queue not replayed, nothing started, …) — fix what it names and rerun the same command. */
  notReady: 17,
  /** `resolve finish`: an escalation gate holds (a dropped patch, changes outside the conflicting hunks) — a human accepts it by name or the resolution is aborted. */
  gate: 18,
  /** 128 + the signal number, as a shell reports a process a signal ended. */
  sigint: 130,
  sigterm: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const OUTCOMES = [
  'success',
  'no-change',
  'partial',
  'verify-conflict',
  'apply-conflict',
  'push-blocked',
  'graphite-failed',
  'validation-failed',
  'lock-taken',
  'error',
  'usage-error',
  'interrupted',
  /** `rebase-daily resolve finish`: an agent-resolved conflict day was validated and published. */
  'resolved',
  /** `rebase-daily resolve`: a refusal that means "not ready yet": fix what it names and retry. */
  'not-ready',
  /** `rebase-daily resolve finish`: an escalation gate holds; `--accept <gate> --reason TEXT` (a human's decision) or abort. */
  'gate-held',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

const OUTCOME_EXIT: Record<Outcome, ExitCode> = {
  success: EXIT.ok,
  'no-change': EXIT.ok,
  partial: EXIT.partial,
  'verify-conflict': EXIT.verifyConflict,
  'apply-conflict': EXIT.applyConflict,
  'push-blocked': EXIT.pushBlocked,
  'graphite-failed': EXIT.graphiteFailed,
  'validation-failed': EXIT.validationFailed,
  'lock-taken': EXIT.lockTaken,
  error: EXIT.internal,
  'usage-error': EXIT.usage,
  interrupted: EXIT.sigint,
  resolved: EXIT.ok,
  'not-ready': EXIT.notReady,
  'gate-held': EXIT.gate,
};

/**
 * The process exit code for an outcome. `interrupted` is 130 for SIGINT and 143 for SIGTERM (what
 * a shell would report had the signal ended the process), so `signal` decides it.
 */
export function exitCodeFor(outcome: Outcome, signal?: string | null): ExitCode {
  if (outcome === 'interrupted') return signal === 'SIGTERM' ? EXIT.sigterm : EXIT.sigint;
  return OUTCOME_EXIT[outcome];
}

/**
 * The outcome an exit code stands for, where exactly one outcome has it (10 → verify-conflict,
 * 12 → push-blocked, 13 → graphite-failed, …); 'error' for the codes several outcomes share (0) and
 * for those no outcome has. How an error's exit code becomes the run's outcome, without numbers.
 */
export function outcomeForExit(code: ExitCode): Outcome {
  const outcomes = OUTCOMES.filter((o) => OUTCOME_EXIT[o] === code);
  return outcomes.length === 1 ? outcomes[0] : 'error';
}

/** One line per exit code, for --help and docs. */
export const EXIT_CODE_MEANINGS: Record<ExitCode, string> = {
  0: 'success (rebased and validated, or nothing to do); with no validate section the first line says "rebased, not validated: no validate section"',
  1: 'unexpected repository state or internal error (nothing half-done is left behind)',
  2: 'usage or config error (nothing was touched)',
  10: 'verify conflict: the patch queue does not replay onto upstream; no ref moved',
  11: 'apply conflict: the rebase was aborted cleanly, starting branch restored',
  12: 'lease or push blocked: the fork remote moved or refused the push',
  13: 'Graphite alignment failed',
  14: 'validation failed (formatting or tests)',
  15: 'lock taken: another run holds the lock',
  16: 'partial day (onConflict: advance): the trunk moved to the last clean upstream commit; a conflict stops the rest',
  17: 'resolve: not ready yet (conflict markers left, queue not replayed, no resolution started, …): nothing changed; fix what the error names and rerun',
  18: 'resolve finish: an escalation gate holds (a dropped patch, changes outside the conflicting hunks): nothing published; a human accepts it with --accept <gate> --reason TEXT, or abort',
  130: 'interrupted by SIGINT (Ctrl-C): cleaned up like any stopped run; rerun when ready',
  143: 'interrupted by SIGTERM: cleaned up like any stopped run; rerun when ready',
};
