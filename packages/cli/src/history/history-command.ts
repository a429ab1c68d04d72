import { boundRunner, CommandLog, type ResolvedConfig } from '@rebase-daily/core';
import { loadHistory, renderHistoryTable } from '@rebase-daily/report';
import type { ParsedArgs } from '../args.js';
import { emit } from '../emit.js';
import { envelope } from '../envelope.js';
import { useColor, type CliIO } from '../io.js';

/**
 * `history [--days N] [--json]`: the ledger as an aligned table (colour only when stdout is a
 * terminal and NO_COLOR is unset), or as JSON. A missing ledger is rebuilt from the run reports
 * first. Malformed lines are skipped and listed, never fatal.
 */
export async function historyCommand(io: CliIO, args: ParsedArgs, config: ResolvedConfig): Promise<number> {
  const history = await loadHistory(config.scratchPath, boundRunner(new CommandLog()));
  const since = args.days ? Date.now() - args.days * 86_400_000 : -Infinity;
  const entries = history.entries.filter((e) => new Date(e.startedAt).getTime() >= since);
  const color = useColor({ env: io.env, isTTY: io.isTTY && io.stdoutIsTTY !== false });
  const lines = [
    entries.length ? renderHistoryTable(entries, { color }).trimEnd() : `no runs recorded${args.days ? ` in the last ${args.days} days` : ''} (ledger: ${history.path})`,
    history.rebuilt ? `(rebuilt ${history.path} from the run reports)` : '',
    ...history.malformed.map((m) => `warning: ${history.path}:${m.line} skipped: ${m.reason}`),
  ].filter(Boolean);
  const data = { path: history.path, rebuilt: history.rebuilt, days: args.days ?? null, entries, malformed: history.malformed };
  return emit(io, args, envelope('history', 0, null, data), lines.join('\n'));
}
