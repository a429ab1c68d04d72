import { z } from 'zod';
import { OUTCOMES } from '../errors/exit-codes.js';
import { RemoteLockInfoSchema } from './remote-lock-info.js';
import { CandidateSchema, UndoFileSchema } from './publish-data.js';
import { LockFindingSchema } from './lock-merge-data.js';
import { SHA_PATTERN } from '../process/sha.js';

/**
 * Stage contracts: the data passed between stages and persisted between Nx processes. Every stage
 * is a function of (config, RunState) returning a StageResult; the pipeline folds results into state.
 */
export const STAGES = ['verify', 'apply', 'align', 'validate', 'publish', 'report'] as const;
export const StageNameSchema = z.enum(STAGES);
export type StageName = z.infer<typeof StageNameSchema>;

export const StageStatusSchema = z.enum(['ok', 'failed', 'skipped', 'not-configured', 'pending', 'running']);
export type StageStatus = z.infer<typeof StageStatusSchema>;

export const OutcomeSchema = z.enum(OUTCOMES);

const sha = z.string().regex(SHA_PATTERN, 'is not a full object id');
const maybeSha = sha.nullable();

export const ShaSetSchema = z.object({
  upstream: maybeSha,
  mirror: maybeSha,
  trunk: maybeSha,
  forkTrunk: maybeSha,
  forkMirror: maybeSha.optional(),
});
export type ShaSet = z.infer<typeof ShaSetSchema>;

export const PatchSchema = z.object({ sha, subject: z.string() });
export type Patch = z.infer<typeof PatchSchema>;

export const ConflictSchema = z.object({
  stage: StageNameSchema,
  /** The patch that failed to replay (for align: the branch tip being restacked). */
  patch: PatchSchema.nullable(),
  /** 1-based position in the queue, and the queue length. */
  position: z.number().int().nullable(),
  queueLength: z.number().int().nullable(),
  files: z.array(z.string()),
  /** For Graphite restack conflicts. */
  branch: z.string().optional(),
  /** Shell lines a human runs to reproduce the conflict in a scratch worktree. */
  reproduce: z.array(z.string()),
  /** The context bundle written for this conflict (upstream commits, areas, patches per file, …): JSON and Markdown. */
  contextBundle: z.object({ json: z.string(), md: z.string() }).optional(),
  /** Lock files in the conflict that the structural merger could not settle, with its findings. */
  lockFindings: z.array(LockFindingSchema).optional(),
  /** Filled by conflict localization, when the engine can do it. */
  localization: z.record(z.string(), z.unknown()).optional(),
  /** What a human needs to judge the conflict, bounded: the patch's hunks in the conflicted files and the upstream commits that touched them. */
  context: z
    .object({
      hunks: z.array(z.object({ file: z.string(), patch: z.string(), upstream: z.string(), truncated: z.boolean() })),
      upstreamCommits: z.array(z.object({ sha, subject: z.string(), author: z.string(), date: z.string(), body: z.string() })),
    })
    .optional(),
});
export type Conflict = z.infer<typeof ConflictSchema>;

export const LeaseSchema = z.object({
  ref: z.string(),
  remote: z.string(),
  expected: maybeSha,
  actual: maybeSha,
  reason: z.string(),
  /** false: the run refused before pushing anything (the fork moved, or has commits the trunk lacks). */
  attempted: z.boolean().optional(),
  /** The local trunk the fork was compared with, when no push was attempted. */
  local: maybeSha.optional(),
});
export type Lease = z.infer<typeof LeaseSchema>;

export const ErrorRecordSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const StageRecordSchema = z.object({
  name: StageNameSchema,
  status: StageStatusSchema,
  summary: z.string().default(''),
  startedAt: z.string().nullable().default(null),
  finishedAt: z.string().nullable().default(null),
  durationMs: z.number().nullable().default(null),
  /** Stage-specific details (see each stage package's README for its shape). */
  data: z.record(z.string(), z.unknown()).default({}),
});
export type StageRecord = z.infer<typeof StageRecordSchema>;

export const PinSchema = z.object({
  upstream: sha,
  trunk: sha,
  forkTrunk: maybeSha,
  mirror: maybeSha,
  forkMirror: maybeSha,
  verifiedAt: z.string(),
  runId: z.string(),
  /** Was the queue proven to replay cleanly onto `upstream`? */
  clean: z.boolean(),
});
export type Pin = z.infer<typeof PinSchema>;

export const LockInfoSchema = z.object({
  path: z.string(),
  acquired: z.boolean(),
  override: z.boolean(),
  /** The holder whose stale lock was broken (override) or who refused us (lock-taken). */
  holder: z.record(z.string(), z.unknown()).nullable().default(null),
  ageHours: z.number().nullable().default(null),
  /** The lock of a run whose holder was dead on this host, taken over at the start of this run. */
  takenOver: z.object({ previous: z.record(z.string(), z.unknown()), reason: z.string() }).nullish(),
  /** The fork remote's lock (config lock.remote). */
  remote: RemoteLockInfoSchema.nullish(),
});

/**
 * Something a run made, recorded before it was made: cleanup (at the end, or by the next run after
 * a crash) undoes exactly these. An `operation` is a rebase the run started in the worktree at
 * `path`; `origHead`/`onto`/`heads` identify it, so a rebase someone else started there is never
 * taken for it.
 */
export const TemporarySchema = z.object({
  kind: z.enum(['worktree', 'branch', 'dir', 'operation']),
  path: z.string(),
  op: z.literal('rebase').optional(),
  origHead: z.string().optional(),
  onto: z.string().optional(),
  /** Branches the operation may be rebasing (`gt restack` walks several). */
  heads: z.array(z.string()).optional(),
});
export type Temporary = z.infer<typeof TemporarySchema>;

export const RunStateSchema = z.object({
  schemaVersion: z.literal(1),
  runId: z.string(),
  command: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  host: z.string(),
  pid: z.number(),
  configPath: z.string(),
  /** `conflicts.owner` of the config: who resolves a conflict day (the report's next actions follow it). Absent in older states: human. */
  conflictsOwner: z.enum(['human', 'agent']).optional(),
  repo: z.string(),
  scratchDir: z.string(),
  trunk: z.string(),
  mirror: z.string(),
  upstreamRef: z.string(),
  remotes: z.object({ fork: z.string(), upstream: z.string() }),
  startBranch: z.string().nullable(),
  startHead: maybeSha,
  lock: LockInfoSchema,
  /**
   * before: as found at the start, before the fetch (the remote-tracking refs as they were);
   * observed: right after the fetch (what the stages work from: verify's upstream, the leases);
   * after: at the end of the run.
   */
  shas: z.object({ before: ShaSetSchema, observed: ShaSetSchema.optional(), after: ShaSetSchema }),
  pin: PinSchema.nullable(),
  stages: z.array(StageRecordSchema),
  outcome: OutcomeSchema.nullable(),
  exitCode: z.number().int().nullable(),
  stoppedBy: StageNameSchema.nullable(),
  conflict: ConflictSchema.nullable(),
  lease: LeaseSchema.nullable(),
  errors: z.array(ErrorRecordSchema),
  warnings: z.array(z.string()),
  /** Leftovers of crashed runs found (and cleaned where temporary) at the start of this run. */
  leftovers: z.array(z.string()),
  /** Did preflight pass (tree was clean, no operation in progress)? Only then may cleanup reset the tree. */
  preflightOk: z.boolean(),
  /** Temporary worktrees/branches/dirs registered by stages, removed at the end or by the next run. */
  temporaries: z.array(TemporarySchema),
  nextActions: z.array(z.string()),
  /** The fetch at the start moved the upstream remote-tracking ref from → to, by count commits (null: not fetched, or it did not exist before). */
  upstreamMoved: z.object({ from: sha, to: sha, count: z.number().int().nonnegative() }).nullable().default(null),
  /** Changes the run made outside the refs it reports (a line added to .git/info/exclude, worktree metadata pruned). */
  sideEffects: z.array(z.string()).default([]),
  /**
   * Refs this run moves locally (trunk, mirror, restacked descendants), each recorded before it
   * moves. Publish pushes them; a run that stops before publishing moves them back.
   */
  candidates: z.array(CandidateSchema).default([]),
  /** Files put back with the candidates when they are undone. */
  undoFiles: z.array(UndoFileSchema).default([]),
  commandLog: z.string().nullable(),
  reportDir: z.string().nullable(),
});
export type RunState = z.infer<typeof RunStateSchema>;

/** What a stage implementation returns. The pipeline folds it into RunState. */
export interface StageResult {
  status: 'ok' | 'failed' | 'not-configured';
  summary: string;
  /** For failed stages: the run's outcome (verify-conflict, push-blocked, …). For ok: 'no-change' when nothing moved. */
  outcome?: z.infer<typeof OutcomeSchema>;
  data?: Record<string, unknown>;
  conflict?: Conflict;
  lease?: Lease;
  pin?: Pin;
  shasAfter?: Partial<ShaSet>;
  errors?: z.infer<typeof ErrorRecordSchema>[];
  warnings?: string[];
  nextActions?: string[];
}
