import { OUTCOMES, STAGES } from '@rebase-daily/core';
import { z } from 'zod';

/** Bumped on any change an older reader of `history.jsonl` would trip over; lines of another version are reported as malformed. */
export const HISTORY_VERSION = 1;

const sha = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'is not a full object id');

/** What a resolve session line records: `start`, `finish` (whatever its outcome) or `abort`. */
export const RESOLVE_EVENTS = ['start', 'finish', 'abort'] as const;
/** Resolve outcomes as they appear in the ledger (`started`/`aborted` for the events with no outcome of their own). */
export const RESOLVE_OUTCOMES = ['started', 'resolved', 'push-blocked', 'validation-failed', 'error', 'aborted'] as const;

const ShaPairSchema = z.strictObject({ upstream: sha.nullable(), trunk: sha.nullable() });

/**
 * One line of `<scratch>/rebase-daily/history.jsonl`: a finished run of the pipeline, or one event of
 * a resolve session. Built from the run's report (itself built from the stages' typed data), never
 * from log text; `daysBehind` is measured in git from the report's SHAs (see `daysBehind`).
 */
export const HistoryEntrySchema = z.strictObject({
  v: z.literal(HISTORY_VERSION),
  kind: z.enum(['run', 'resolve']),
  /** Runs: always `finish`. Resolve sessions: `start`, `finish` or `abort`. */
  event: z.enum(['finish', 'start', 'abort']),
  runId: z.string().min(1).describe('The run id, or the resolve session id'),
  command: z.string().describe('daily, verify, nx:apply, resolve, …'),
  startedAt: z.string(),
  finishedAt: z.string().nullable().describe('null for a resolve start'),
  outcome: z.enum([...OUTCOMES, ...RESOLVE_OUTCOMES.filter((o) => !(OUTCOMES as readonly string[]).includes(o))] as [string, ...string[]]),
  exitCode: z.number().int().nullable(),
  shas: z.strictObject({ before: ShaPairSchema, after: ShaPairSchema }).describe('Upstream and trunk tips before the run (upstream before its fetch) and at its end'),
  upstreamAbsorbed: z.number().int().nonnegative().describe('Upstream commits the trunk gained (0 when it did not move onto upstream)'),
  daysBehind: z
    .strictObject({ before: z.number().nonnegative().nullable(), after: z.number().nonnegative().nullable() })
    .describe('Age in days of the oldest upstream commit the trunk lacks (0: up to date; null: unknown), at the start and at the end'),
  queueSize: z.number().int().nonnegative().nullable().describe('Patches in the queue (null: not known, e.g. a lock-taken run)'),
  dropped: z.number().int().nonnegative().describe('Patches dropped because upstream has them'),
  conflict: z
    .strictObject({ stage: z.string(), files: z.array(z.string()), patch: z.strictObject({ sha, subject: z.string() }).nullable() })
    .nullable()
    .describe('The conflicted files and the patch involved, on a conflict day'),
  stages: z.partialRecord(z.enum(STAGES), z.number().nonnegative()).describe('Wall time in ms of each stage that ran'),
  summary: z.string().nullable().describe('The summary of this run, relative to <scratch>/rebase-daily/'),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;
