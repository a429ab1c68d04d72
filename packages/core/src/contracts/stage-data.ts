import { z } from 'zod';
import { PublishDataSchema } from './publish-data.js';
import { PatchSchema, PinSchema, type StageName } from './run-state.js';
import { LockConfirmationSchema, LockMergeSchema, PolicyDecisionSchema } from './lock-merge-data.js';
import { SHA_PATTERN } from '../process/sha.js';

/**
 * Stage data contracts: what each stage records in its `StageRecord.data`, defined once. Stages
 * build their data as these types, the pipeline validates it when it folds a result
 * (`checkStageData`), and the report reads it back typed (`readStageData`). The objects are strict:
 * a key a stage adds without adding it here fails the fold (E_STAGE_DATA) and the recorded-run
 * fixtures of the report, so a producer cannot drift away from its reader unnoticed.
 */
const sha = z.string().regex(SHA_PATTERN, 'is not a full object id');

/** `{count, range}` of commits `range` = `old..new`. */
export const CommitCountSchema = z.strictObject({ count: z.number().int().nonnegative(), range: z.string() });
export type CommitCount = z.infer<typeof CommitCountSchema>;

/** An upstream commit with what a human needs to judge it. */
export const UpstreamCommitSchema = z.strictObject({
  sha,
  subject: z.string(),
  author: z.string().describe('"Name <email>"'),
  date: z.string().describe('Author date, ISO 8601'),
});
export type UpstreamCommit = z.infer<typeof UpstreamCommitSchema>;

/** A trunk patch rebase drops because upstream already has its change (same patch-id). */
export const DroppedPatchSchema = z.strictObject({
  sha,
  subject: z.string(),
  upstream: UpstreamCommitSchema.nullable().describe('The upstream commit with the same patch-id (null when git could not pair it)'),
});
export type DroppedPatch = z.infer<typeof DroppedPatchSchema>;

export const EngineUseSchema = z.strictObject({
  used: z.enum(['memory', 'worktree']),
  requested: z.enum(['auto', 'memory', 'worktree']),
  fallbackReasons: z.array(z.string()).optional(),
  gitVersion: z.string().nullable().optional(),
});

const UpstreamCommitRefSchema = z.strictObject({ sha, subject: z.string(), index: z.number().int() });

export const AdvanceSchema = z.strictObject({
  target: sha,
  lastClean: UpstreamCommitRefSchema,
  firstBreaking: UpstreamCommitRefSchema,
  absorbed: z.number().int(),
  remaining: z.number().int(),
  upstreamCount: z.number().int(),
  patch: PatchSchema,
  files: z.array(z.string()),
  /** The queue as it was against the full target, before advancing. */
  full: z.strictObject({ queue: z.array(PatchSchema), dropped: z.array(DroppedPatchSchema), upstreamDelta: CommitCountSchema }),
});

/** A queue commit left out of the replay because a fresh version bump replaces it. */
export const SupersededCommitSchema = z.strictObject({
  sha,
  subject: z.string(),
  reason: z.string().describe('Why it counts as a bump: the Rebase-Daily-Bump trailer, or a subject pattern plus a version-only diff'),
});
export type SupersededCommit = z.infer<typeof SupersededCommitSchema>;

export const VerifyDataSchema = z.strictObject({
  engine: EngineUseSchema,
  upstreamRef: z.string(),
  upstream: sha,
  trunk: sha,
  base: sha.nullable(),
  queue: z.array(PatchSchema),
  dropped: z.array(DroppedPatchSchema),
  merges: z.array(PatchSchema),
  /** Upstream commits the trunk does not contain yet: `base..upstream`. */
  upstreamDelta: CommitCountSchema,
  upToDate: z.boolean(),
  mergeTreeCalls: z.number().int().optional(),
  mergeTreeMode: z.string().optional(),
  worktree: z.string().optional(),
  replayedTip: sha.nullable().optional(),
  partial: z.literal(true).optional(),
  advance: AdvanceSchema.optional(),
  /** Old version-bump commits left out of the replay (a fresh bump will be written). */
  superseded: z.array(SupersededCommitSchema),
  /** Lock files merged by structure where a patch conflicted only in them (`conflicts.mechanical`). */
  lockMerges: z.array(LockMergeSchema).optional(),
  /** cargo's verdict on the merged lock of the replayed tree. */
  lockConfirmation: LockConfirmationSchema.optional(),
  /** Conflicted files decided by `conflicts.policy` (prefer a side, or a path removed for good). */
  policyDecisions: z.array(PolicyDecisionSchema).optional(),
  /** Paths new upstream commits added back that `conflicts.policy.removed` says the fork deleted for good. */
  reintroduced: z.array(z.string()).optional(),
});
export type VerifyData = z.infer<typeof VerifyDataSchema>;

export const PushRecordSchema = z.strictObject({
  ref: z.string(),
  expected: sha.nullable(),
  newSha: sha,
  ok: z.boolean(),
  outcome: z.string(),
  /** The push command (absent when the push was one ref of a publish that records its commands). */
  command: z.string().optional(),
});
export type PushRecord = z.infer<typeof PushRecordSchema>;

export const BumpSchema = z.strictObject({
  status: z.enum(['unchanged', 'committed', 'failed']),
  upstreamVersion: z.string().nullable(),
  forkVersion: z.string().nullable(),
  previousVersion: z.string().nullable(),
  source: z.string().nullable(),
  commit: sha.nullable(),
  files: z.array(z.string()),
  members: z.array(z.string()),
  /** The lock checks: every member's lock entry, and `cargo metadata --locked --offline` before/after. */
  checks: z
    .strictObject({
      lockEntries: z
        .strictObject({
          members: z.number().int(),
          stale: z.array(z.strictObject({ name: z.string(), lock: z.string(), want: z.string() })),
          missing: z.array(z.string()),
        })
        .nullable(),
      locked: z.strictObject({ before: z.enum(['ok', 'failed', 'no-lock']), after: z.enum(['ok', 'failed', 'skipped']), error: z.string().optional() }),
    })
    .nullable(),
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }).optional(),
});

/** One queue patch and the commit it became on the new trunk. */
export const ReplayedPatchSchema = z.strictObject({ old: sha, new: sha, subject: z.string() });
export type ReplayedPatch = z.infer<typeof ReplayedPatchSchema>;

export const ApplyDataSchema = z.strictObject({
  pin: PinSchema,
  pushEnabled: z.boolean(),
  /** `publish.when` of the config: `after-apply` publishes trunk and mirror from apply (its data in `publish`). */
  publishWhen: z.enum(['after-validate', 'after-apply']),
  /** The publish apply ran itself (`publish.when: "after-apply"`). */
  publish: PublishDataSchema.optional(),
  /** What apply did, one line each, in order. */
  actions: z.array(z.string()),
  pushes: z.array(PushRecordSchema),
  forkOnlyCommits: z.array(PatchSchema).optional(),
  engine: EngineUseSchema.optional(),
  rebaseWorktree: z.string().optional(),
  bump: BumpSchema.optional(),
  rebasedTrunk: sha.optional(),
  trunk: z.strictObject({ before: sha, after: sha, rebased: z.boolean(), pushed: z.boolean() }).optional(),
  /** Old → new SHA of every replayed patch (by patch-id), oldest first. */
  replayed: z.array(ReplayedPatchSchema).optional(),
  /** Old version-bump commits left out of the replay because this apply writes a fresh bump. */
  superseded: z.array(SupersededCommitSchema).optional(),
  /** Set by the pipeline when apply found nothing to do. */
  noChange: z.literal(true).optional(),
  /** Lock files merged by structure during the replay (the same merges verify listed). */
  lockMerges: z.array(LockMergeSchema).optional(),
  /** Conflicted files decided by `conflicts.policy` during the replay. */
  policyDecisions: z.array(PolicyDecisionSchema).optional(),
});
export type ApplyData = z.infer<typeof ApplyDataSchema>;

export const BranchNodeSchema = z.strictObject({
  branch: z.string(),
  parent: z.string(),
  tip: sha.nullable(),
  needsRestack: z.boolean(),
  validation: z.string().nullable().optional(),
});
export type BranchNodeData = z.infer<typeof BranchNodeSchema>;

export const AlignDataSchema = z.strictObject({
  gt: z.strictObject({ path: z.string(), source: z.string() }).nullable(),
  graphiteTrunk: z.string().nullable(),
  sync: z
    .strictObject({
      ok: z.boolean(),
      exitCode: z.number(),
      timedOut: z.boolean(),
      durationMs: z.number(),
      message: z.string(),
      trunkMoved: z.strictObject({ from: z.string(), to: z.string(), restored: z.boolean() }).optional(),
      policy: z.enum(['stop', 'continue']),
    })
    .nullable(),
  /** The tree before and after: branch → parent with tip SHAs. */
  before: z.array(BranchNodeSchema),
  after: z.array(BranchNodeSchema).nullable(),
  /** Branches whose tip the restack moved. */
  restacked: z.array(z.string()),
  /** What a human runs to publish restacked descendants the fork remote does not have (`gt submit`). */
  publish: z.array(z.string()),
  /** Each tracked branch on the fork remote before the run (the lease of its publish; null: absent there). */
  remoteBefore: z.record(z.string(), sha.nullable()),
  drift: z.array(
    z.strictObject({
      branch: z.string(),
      parent: z.string(),
      parentTip: z.string().nullable(),
      tip: z.string().nullable(),
      actualParent: z.string().nullable(),
      recovery: z.array(z.string()),
    }),
  ),
  source: z.enum(['metadata-db', 'gt-ls']).nullable(),
  busyWorktrees: z.array(z.strictObject({ branch: z.string(), path: z.string() })),
  restore: z
    .strictObject({ restored: z.boolean(), resetBranches: z.array(z.string()), metadataRestored: z.boolean(), problems: z.array(z.string()) })
    .optional(),
});
export type AlignData = z.infer<typeof AlignDataSchema>;

const FailureReasonSchema = z.enum(['format-changed-files', 'format-failed', 'compile-error', 'tests-failed', 'timeout', 'step-failed']);

export const ValidateStepRecordSchema = z.strictObject({
  name: z.string(),
  argv: z.array(z.string()),
  status: z.enum(['ok', 'failed', 'timed-out', 'changed-files']),
  exitCode: z.number(),
  durationMs: z.number(),
  logFile: z.string(),
  reason: FailureReasonSchema.optional(),
});

export const ValidateDataSchema = z.strictObject({
  cached: z.boolean(),
  /** The run whose recorded success was replayed (cached: true). */
  cachedFrom: z.string().optional(),
  cacheKey: z.string().nullable(),
  trunk: z.string(),
  commit: sha,
  tree: sha,
  worktree: z.strictObject({ kind: z.enum(['primary', 'dedicated']), path: z.string(), why: z.string() }),
  workdir: z.string(),
  targetDir: z.string(),
  steps: z.array(ValidateStepRecordSchema),
  format: z.strictObject({ argv: z.array(z.string()).nullable(), changedFiles: z.array(z.string()), diffPath: z.string().nullable() }).nullable(),
  tests: z
    .strictObject({
      logFile: z.string(),
      totals: z.strictObject({ binaries: z.number(), failedBinaries: z.number(), passed: z.number(), failed: z.number(), ignored: z.number() }),
      crates: z.array(
        z.strictObject({
          crate: z.string(),
          binaries: z.number(),
          passed: z.number(),
          failed: z.number(),
          ignored: z.number(),
          failingTests: z.array(z.string()),
          status: z.enum(['ok', 'failed', 'incomplete']),
        }),
      ),
      /** Per test binary detail (see @rebase-daily/cargo-validate); the report reads crates and failingTests. */
      binaries: z.array(z.unknown()),
      failingTests: z.array(z.strictObject({ crate: z.string().nullable(), binary: z.string(), test: z.string() })),
      compileFailures: z.array(z.unknown()),
      diagnostics: z.array(z.unknown()),
    })
    .nullable(),
  reasons: z.array(FailureReasonSchema),
  /** Files a step changed that were not formatting findings (e.g. Cargo.lock rewritten); restored. */
  restoredFiles: z.array(z.string()),
});
export type ValidateData = z.infer<typeof ValidateDataSchema>;

/** The report stage records nothing of its own. */
export const ReportDataSchema = z.strictObject({});

/**
 * Every stage's data contract, by stage name. A new stage (publish, resolve) is one line here:
 * `publish: PublishDataSchema,` — the `satisfies` makes a stage in STAGES without one a type error.
 */
export const STAGE_DATA_SCHEMAS = {
  verify: VerifyDataSchema,
  apply: ApplyDataSchema,
  align: AlignDataSchema,
  validate: ValidateDataSchema,
  publish: PublishDataSchema,
  report: ReportDataSchema,
} as const satisfies Record<StageName, z.ZodType>;

export type StageDataMap = { [K in keyof typeof STAGE_DATA_SCHEMAS]: z.infer<(typeof STAGE_DATA_SCHEMAS)[K]> };
export type StageData = StageDataMap[keyof StageDataMap];

const describeIssues = (issues: z.core.$ZodIssue[]) => issues.slice(0, 8).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);

/**
 * Check a stage's data against its contract. Empty data (a stage that failed before it had any) is
 * valid; anything else must match the schema exactly.
 */
export function checkStageData(name: StageName, data: Record<string, unknown> | undefined): { ok: true; data: Record<string, unknown> } | { ok: false; data: Record<string, unknown>; problems: string[] } {
  const raw = data ?? {};
  if (Object.keys(raw).length === 0) return { ok: true, data: {} };
  const parsed = STAGE_DATA_SCHEMAS[name].safeParse(raw);
  return parsed.success ? { ok: true, data: parsed.data as Record<string, unknown> } : { ok: false, data: raw, problems: describeIssues(parsed.error.issues) };
}

/**
 * A stage's recorded data, typed: null when the stage recorded none, or (with the problems) when
 * what it recorded does not match the contract.
 */
export function readStageData<N extends StageName>(state: { stages: readonly { name: string; data: Record<string, unknown> }[] }, name: N): { data: StageDataMap[N] | null; problems: string[] } {
  const raw = state.stages.find((s) => s.name === name)?.data ?? {};
  if (Object.keys(raw).length === 0) return { data: null, problems: [] };
  const parsed = STAGE_DATA_SCHEMAS[name].safeParse(raw);
  return parsed.success ? { data: parsed.data as StageDataMap[N], problems: [] } : { data: null, problems: describeIssues(parsed.error.issues) };
}
