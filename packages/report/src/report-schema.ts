import { DroppedPatchSchema, LockConfirmationSchema, LockFindingSchema, LockMergeSchema, PolicyDecisionSchema, OUTCOMES, STAGES } from '@rebase-daily/core';
import { z } from 'zod';
import { SHA_PATTERN } from '@rebase-daily/core';

/**
 * The shape of `report.json`: what one rebase-daily run did, for cron, an operator agent and a
 * human. Bump REPORT_VERSION on any change a reader of an older report would trip over.
 */
export const REPORT_VERSION = 2;

/** Stage statuses as reported: the run state's transient `pending`/`running` never appear here. */
export const REPORT_STAGE_STATUSES = ['ok', 'failed', 'skipped', 'not-configured'] as const;

const sha = z.string().regex(SHA_PATTERN, 'is not a full object id');
const maybeSha = sha.nullable();

export const ReportShaSetSchema = z
  .object({
    upstream: maybeSha.describe('The upstream branch tip'),
    mirror: maybeSha.describe('The local mirror branch'),
    trunk: maybeSha.describe('The local trunk branch'),
    forkTrunk: maybeSha.describe("The fork remote's trunk"),
    forkMirror: maybeSha.optional().describe("The fork remote's mirror"),
  })
  .describe('Branch tips; null when unknown or absent');

export const ReportPatchSchema = z.object({ sha, subject: z.string() });

/** A queue patch with the commit it became on the new trunk (null when the trunk did not move, or the patch did not survive unchanged). */
export const ReportQueuePatchSchema = z.object({ sha, subject: z.string(), newSha: sha.nullable().describe('The commit this patch became on the new trunk (apply, by patch-id)') });

const CountSchema = z.object({ count: z.number().int().nonnegative(), range: z.string().describe('old..new') });

export const ReportStageSchema = z.object({
  name: z.enum(STAGES),
  status: z.enum(REPORT_STAGE_STATUSES),
  summary: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  data: z.record(z.string(), z.unknown()).describe("Stage-specific details (see the stage package's README)"),
});

export const ReportConflictSchema = z.object({
  stage: z.enum(STAGES),
  patch: ReportPatchSchema.nullable().describe('The patch that failed to replay (align: the branch tip being restacked)'),
  position: z.number().int().nullable().describe('1-based position of the patch in the queue'),
  queueLength: z.number().int().nullable(),
  files: z.array(z.string()).describe('Conflicted files'),
  branch: z.string().optional().describe('For Graphite restack conflicts'),
  reproduce: z.array(z.string()).describe('Shell lines a human runs to reproduce the conflict'),
  localization: z.record(z.string(), z.unknown()).optional(),
  contextBundle: z.object({ json: z.string(), md: z.string() }).optional().describe('The context bundle for this conflict (upstream commits with files, areas, fork patches per file, re-introduced and renamed paths, day size)'),
  lockFindings: z.array(LockFindingSchema).optional().describe('Lock files in the conflict the structural merger could not settle, with its findings'),
  context: z
    .object({
      hunks: z.array(z.object({ file: z.string(), patch: z.string(), upstream: z.string(), truncated: z.boolean() })).describe("Per conflicted file: the patch's hunk and upstream's change, bounded"),
      upstreamCommits: z.array(z.object({ sha, subject: z.string(), author: z.string(), date: z.string(), body: z.string() })).describe('Upstream commits that touched the conflicted files (first breaking first), bounded'),
    })
    .optional(),
});

export const ReportLeaseSchema = z.object({
  ref: z.string(),
  remote: z.string(),
  expected: maybeSha.describe('What we expected the remote ref to be (observed at the start of the run)'),
  actual: maybeSha.describe('What the remote ref actually was'),
  reason: z.string(),
  attempted: z.boolean().optional().describe('false: the run refused before any push (nothing was pushed); true or absent: a push was made and refused'),
  local: maybeSha.optional().describe('When no push was attempted: the local trunk the fork was compared with'),
});

export const ReportLockSchema = z.object({
  override: z.boolean().describe('A stale lock was broken with FORCE_STALE_LOCK=1'),
  acquired: z.boolean(),
  path: z.string(),
  holder: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe('The holder whose stale lock was broken (override) or who refused this run (lock-taken)'),
  ageHours: z.number().nullable(),
  takenOver: z
    .object({ previous: z.record(z.string(), z.unknown()), reason: z.string() })
    .nullish()
    .describe('The lock of a run whose holder was dead on this host (pid gone or reused, a zombie, rebooted since), taken over by this run'),
});

export const ReportPushSchema = z.object({
  ref: z.string(),
  remote: z.string(),
  expected: maybeSha.describe('The lease: what the remote ref had to be'),
  newSha: sha,
  command: z.string().describe('The exact git push that ran'),
});

export const ReportDescendantSchema = z.object({
  branch: z.string(),
  parent: z.string(),
  before: maybeSha.describe('Tip before align'),
  after: maybeSha.describe('Tip after align (null when align stopped before re-reading the tree)'),
  restacked: z.boolean(),
});

export const ReportDocsSchema = z.object({
  dir: z.string().describe('The docs shipped with this install (absolute)'),
  runbook: z.string(),
  gotchas: z.string(),
  updating: z.string(),
});

export const ReportSchema = z
  .object({
    reportVersion: z.literal(REPORT_VERSION),
    runId: z.string().min(1),
    command: z.string().describe('The command that ran (daily, verify, apply, …)'),
    outcome: z.enum(OUTCOMES),
    exitCode: z.number().int(),
    stoppedBy: z.enum(STAGES).nullable().describe('The stage that stopped the run, if any'),
    startedAt: z.string(),
    finishedAt: z.string(),
    durationMs: z.number().nullable(),
    host: z.string(),
    pid: z.number(),
    repo: z.string(),
    configPath: z.string(),
    refs: z.object({
      trunk: z.string(),
      mirror: z.string(),
      upstream: z.string().describe('The upstream ref rebased onto, e.g. upstream/main'),
      remotes: z.object({ fork: z.string(), upstream: z.string() }),
    }),
    shas: z.object({
      before: ReportShaSetSchema.describe('As the run found them, before its fetch (remote-tracking refs as they were)'),
      observed: ReportShaSetSchema.nullable().describe('Right after the fetch: what the stages worked from'),
      after: ReportShaSetSchema.describe('At the end of the run'),
    }),
    upstream: z.object({
      moved: CountSchema.nullable().describe("How far this run's fetch moved the upstream ref (before..fetched); null when not fetched or new"),
      pending: CountSchema.nullable().describe('Upstream commits the trunk did not contain when verify ran (base..upstream)'),
      absorbed: CountSchema.nullable().describe('Upstream commits the trunk now contains that it did not before (null: the trunk did not move onto upstream)'),
    }),
    patches: z.object({
      queue: z.array(ReportQueuePatchSchema).describe('The patch queue replayed onto upstream, oldest first, old → new SHA'),
      droppedUpstream: z.array(DroppedPatchSchema).describe('Patches dropped because upstream already has them, each with the upstream commit of the same patch-id'),
      lockMerges: z.array(LockMergeSchema).optional().describe('Lock files merged by structure where a patch conflicted only in them (conflicts.mechanical), from apply, else verify'),
      lockConfirmation: LockConfirmationSchema.optional().describe("cargo's verdict on the merged lock (verify)"),
      policyDecisions: z.array(PolicyDecisionSchema).optional().describe('Conflicted files decided by conflicts.policy, with the hunks each decided (apply, else verify)'),
      reintroduced: z.array(z.string()).optional().describe('Paths upstream added back that conflicts.policy.removed says the fork deleted for good'),
    }),
    pushed: z.array(ReportPushSchema).describe('Refs this run pushed (with their lease)'),
    graphite: z
      .object({
        descendants: z.array(ReportDescendantSchema),
        restacked: z.array(z.string()).describe('Branches whose tip the restack moved'),
        publish: z.array(z.string()).describe('Commands a human runs to publish the restacked stacks'),
      })
      .nullable()
      .describe('Graphite alignment; null when align did not run'),
    stages: z.array(ReportStageSchema),
    lock: ReportLockSchema,
    conflict: ReportConflictSchema.nullable(),
    lease: ReportLeaseSchema.nullable(),
    commands: z.object({
      count: z.number().int().nonnegative(),
      log: z.string().nullable().describe('Path to the JSONL command log (every command with argv, cwd, exit code, duration)'),
      failed: z.number().int().nonnegative().describe('Commands that exited non-zero (probes included: read the log)'),
    }),
    sideEffects: z.array(z.string()).describe('Changes the run made outside the refs above (e.g. a line added to .git/info/exclude, worktree metadata pruned)'),
    docs: ReportDocsSchema.nullable().describe('Runbook and docs of this install; null when they could not be found'),
    warnings: z.array(z.string()),
    errors: z.array(z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() })),
    leftovers: z.array(z.string()).describe('Leftovers of crashed runs found at the start (temporary ones were cleaned)'),
    nextActions: z.array(z.string()).describe('What a human does next, in order'),
    paths: z.object({
      scratch: z.string(),
      runDir: z.string().describe('<scratch>/rebase-daily/runs/<runId>/'),
      dateDir: z.string().describe('<scratch>/rebase-daily/<YYYY-MM-DD>/ (local date of the run start)'),
    }),
  })
  .describe('rebase-daily run report (report.json)');

export type Report = z.infer<typeof ReportSchema>;
export type ReportStage = z.infer<typeof ReportStageSchema>;

/** JSON Schema of report.json, generated from the zod schema (checked in as report.schema.json). */
export function reportJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ReportSchema, { io: 'output', target: 'draft-2020-12' }) as Record<string, unknown>;
}
