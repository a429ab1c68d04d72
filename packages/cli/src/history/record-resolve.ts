import { join } from 'node:path';
import { boundRunner, CommandLog, localDate, type ResolveReport, type ResolveState, type ResolvedConfig } from '@rebase-daily/core';
import { appendHistory, entryFromResolve, refreshDayStory } from '@rebase-daily/report';

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
    const at = new Date().toISOString();
    const entry = await entryFromResolve({ ...input, at }, boundRunner(new CommandLog()));
    appendHistory(config.scratchPath, entry);
    // The day's summary tells the resolve session too, in order with the day's runs.
    refreshDayStory(config.scratchPath, join(config.scratchPath, 'rebase-daily', localDate(at)));
  } catch (err) {
    warn(`history: ${(err as Error).message}`);
  }
}
