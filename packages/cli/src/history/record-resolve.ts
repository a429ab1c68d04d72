import { boundRunner, CommandLog, type ResolveReport, type ResolveState, type ResolvedConfig } from '@rebase-daily/core';
import { appendHistory, entryFromResolve } from '@rebase-daily/report';

/**
 * Append a resolve session's `start`, `finish` or `abort` to the history ledger. A ledger that
 * cannot be written costs a warning, never the resolution.
 */
export async function recordResolveEvent(
  config: ResolvedConfig,
  input: { event: 'start' | 'finish' | 'abort'; state?: ResolveState | null; report?: ResolveReport | null },
  warn: (message: string) => void,
): Promise<void> {
  try {
    const entry = await entryFromResolve({ ...input, at: new Date().toISOString() }, boundRunner(new CommandLog()));
    appendHistory(config.scratchPath, entry);
  } catch (err) {
    warn(`history: ${(err as Error).message}`);
  }
}
