import { createHash } from 'node:crypto';
import { HISTORY_VERSION, type HistoryEntry } from '../history/history-entry.js';

const sha = (n: number, salt: string) => createHash('sha1').update(`${salt}${n}`).digest('hex');

/** What each of the 30 generated days ends with (index 0 is the oldest day). */
export const GENERATED_OUTCOMES: readonly string[] = Array.from({ length: 30 }, (_, i) => {
  if (i === 4 || i === 17 || i === 25) return 'no-change';
  if (i >= 9 && i <= 12) return 'verify-conflict';
  if (i === 21) return 'apply-conflict';
  if (i === 14) return 'validation-failed';
  return 'success';
});

/**
 * A 30-day ledger for the dashboard's browser test and its screenshot: successes, a four-day
 * conflict streak (days behind upstream grow until a human resolves it), an apply conflict, a
 * validation failure and no-change days, each day at 06:00 local time ending yesterday. A
 * lock-taken retry and a resolve session are mixed in: neither may add a calendar cell.
 */
export function generatedHistory(now = new Date()): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  let behind = 0.8;
  let queue = 6;
  GENERATED_OUTCOMES.forEach((outcome, i) => {
    const start = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 30 + i, 6, 0, 0);
    const conflict = outcome === 'verify-conflict' || outcome === 'apply-conflict';
    const failed = conflict || outcome === 'validation-failed';
    const before = outcome === 'no-change' ? 0 : behind;
    const after = failed ? before + 1 : 0;
    behind = failed ? after : 0.6 + (i % 3) * 0.3;
    if (i === 8 || i === 19) queue += 1;
    const dropped = i === 23 ? 1 : 0;
    queue -= dropped;
    const validateMs = outcome === 'no-change' || conflict ? undefined : 70_000 + ((i * 7919) % 40_000);
    const finished = new Date(start.getTime() + 60_000 + (validateMs ?? 0));
    out.push({
      v: HISTORY_VERSION,
      kind: 'run',
      event: 'finish',
      runId: `${start.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-4242-${i.toString(16).padStart(4, '0')}`,
      command: 'daily',
      startedAt: start.toISOString(),
      finishedAt: finished.toISOString(),
      outcome,
      exitCode: { success: 0, 'no-change': 0, 'verify-conflict': 10, 'apply-conflict': 11, 'validation-failed': 14 }[outcome] ?? 1,
      shas: { before: { upstream: sha(i, 'a'), trunk: sha(i, 'b') }, after: { upstream: sha(i + 1, 'a'), trunk: failed ? sha(i, 'b') : sha(i + 1, 'b') } },
      upstreamAbsorbed: failed || outcome === 'no-change' ? 0 : 3 + ((i * 5) % 9),
      daysBehind: { before, after },
      queueSize: queue,
      dropped,
      conflict: conflict
        ? { stage: outcome === 'verify-conflict' ? 'verify' : 'apply', files: i === 21 ? ['Cargo.lock'] : ['src/net/client.rs', ...(i === 10 ? ['src/net/retry.rs'] : [])], patch: { sha: sha(7, 'f'), subject: i === 21 ? 'fork: pin tokio' : 'fork: retry idempotent requests' } }
        : null,
      stages: { verify: 2_000 + ((i * 331) % 3_000), apply: conflict && outcome === 'verify-conflict' ? undefined : 1_500 + ((i * 97) % 1_000), ...(validateMs ? { validate: validateMs, publish: 900 } : {}) } as HistoryEntry['stages'],
      summary: null,
    });
    if (i === 12) {
      out.push({ ...out.at(-1)!, runId: `${out.at(-1)!.runId}-retry`, outcome: 'lock-taken', exitCode: 15, startedAt: new Date(start.getTime() + 3_600_000).toISOString(), conflict: null, queueSize: null, stages: {} });
      out.push({ ...out.at(-1)!, kind: 'resolve', event: 'start', command: 'resolve start', runId: 'resolve-1', outcome: 'started', exitCode: 0, finishedAt: null });
    }
  });
  // JSON drops undefined stage values, as the ledger line would.
  return JSON.parse(JSON.stringify(out)) as HistoryEntry[];
}
