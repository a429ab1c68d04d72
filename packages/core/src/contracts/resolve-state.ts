import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { runPaths } from '../config/paths.js';
import { writeJsonAtomic } from './state-file.js';
import { PublishProofSchema, ValidationEvidenceSchema } from './publish-proof.js';
import { SHA_PATTERN } from '../process/sha.js';

/**
 * `rebase-daily resolve`: the state of an agent-owned conflict resolution, kept on disk under the
 * scratch dir so every step survives a crash, and the data `resolve` commands print (`--json`).
 * Defined once here; packages/git writes it, packages/cli renders it.
 */

const sha = z.string().regex(SHA_PATTERN, 'is not a full object id');

/** Where a resolution keeps its files: state under `<scratch>/rebase-daily/resolve/`, the rerere memory beside it (kept across days). */
export function resolvePaths(scratchPath: string, id?: string) {
  const base = join(runPaths(scratchPath).base, 'resolve');
  return {
    base,
    /** The one resolution in progress (absent when none). */
    state: join(base, 'state.json'),
    commandLog: join(base, 'commands.jsonl'),
    /** Held while one `resolve continue|finish|abort` acts: a second one at the same time is refused (exit 15). */
    stepLock: join(base, 'step.lock'),
    /** Finished or aborted resolutions, one folder each. */
    archive: id ? join(base, 'history', id) : join(base, 'history'),
    /** The resolution worktree: outside `<scratch>/worktrees`, whose leftovers a run deletes. */
    worktree: id ? join(scratchPath, 'resolve', `worktree-${id}`) : join(scratchPath, 'resolve'),
    /** The rerere cache the resolution worktree uses (git's rr-cache layout), kept across days. */
    rrCache: join(runPaths(scratchPath).base, 'rerere', 'rr-cache'),
  };
}

/** The temporary branch of a resolution; its own prefix, so a run's leftover cleanup never touches it. */
export const RESOLVE_BRANCH_PREFIX = 'rebase-daily-resolve/';

export const ResolvePatchSchema = z.object({ sha, subject: z.string() });

export const ResolvePinSchema = z.object({
  upstream: sha,
  trunk: sha,
  forkTrunk: sha.nullable(),
  mirror: sha.nullable(),
  forkMirror: sha.nullable(),
  /** merge-base of the old trunk and upstream: the old queue is `base..trunk`. */
  base: sha.nullable(),
  /** `verify <runId>` when the latest verify pinned these SHAs, else why they were pinned fresh. */
  source: z.string(),
});
export type ResolvePin = z.infer<typeof ResolvePinSchema>;

/** One stop of the replay on a conflict, and how it was resolved. */
export const ResolveStopSchema = z.object({
  position: z.number().int(),
  patch: ResolvePatchSchema,
  files: z.array(z.string()),
  /** Files whose conflict hunks git rerere re-applied from a recorded resolution. */
  fromMemory: z.array(z.string()),
  /** Set by `resolve continue`: the files the resolution staged. */
  resolvedFiles: z.array(z.string()).nullable(),
  stoppedAt: z.string(),
  resolvedAt: z.string().nullable(),
  /**
   * Set by `resolve continue`: what the resolution changed beyond the conflict — per file, the lines
   * outside every conflicting hunk (a conflicted file) or beyond what the patch itself changes (a
   * file without conflict). Empty: the resolution stayed inside the hunks. Absent in older states.
   */
  outsideHunks: z.array(z.object({ path: z.string(), detail: z.string() })).optional(),
});
export type ResolveStop = z.infer<typeof ResolveStopSchema>;

export const RangeDiffEntrySchema = z.object({
  /** 1-based positions in the old / new queue (null: not there). */
  oldPosition: z.number().int().nullable(),
  newPosition: z.number().int().nullable(),
  oldSha: z.string().nullable(),
  newSha: z.string().nullable(),
  /** `same`: identical patch; `changed`: the resolution changed it; `dropped`: gone from the new queue; `added`: new. */
  status: z.enum(['same', 'changed', 'dropped', 'added']),
  subject: z.string(),
  /** For `changed`: the range-diff of the patch (bounded). */
  diff: z.string(),
});
export type RangeDiffEntry = z.infer<typeof RangeDiffEntrySchema>;

export const RESOLVE_PHASES = ['starting', 'replaying', 'conflict', 'editing', 'replayed', 'finishing', 'publishing', 'published', 'aborted'] as const;

/** The escalation gates `resolve finish` holds at (exit 18) unless a human accepts them by name (`--accept <gate> --reason TEXT`). */
export const RESOLVE_GATES = ['outside-hunks', 'dropped-patch'] as const;
export type ResolveGate = (typeof RESOLVE_GATES)[number];

export const ResolveGateSchema = z.object({
  name: z.enum(RESOLVE_GATES),
  detail: z.string(),
  /** Who accepted it and why (`--accept <gate> --reason TEXT`), or null: the gate held. */
  accepted: z.object({ reason: z.string(), by: z.string(), at: z.string() }).nullable(),
});
export type ResolveGateRecord = z.infer<typeof ResolveGateSchema>;

/** A change of a replayed patch made with `resolve fixup` or `resolve edit`: attributed to the patch it changed. */
export const ResolveRewriteSchema = z.object({
  kind: z.enum(['fixup', 'edit']),
  /** 1-based position of the patch in the replayed queue, and its subject. */
  position: z.number().int(),
  subject: z.string(),
  /** The patch's commit before the change. */
  before: sha,
  files: z.array(z.string()),
  at: z.string(),
});
export type ResolveRewrite = z.infer<typeof ResolveRewriteSchema>;

export const ResolveStateSchema = z.object({
  schemaVersion: z.literal(1),
  id: z.string(),
  phase: z.enum(RESOLVE_PHASES),
  startedAt: z.string(),
  updatedAt: z.string(),
  user: z.string(),
  host: z.string(),
  authorisedBy: z.string().nullable(),
  repo: z.string(),
  trunk: z.string(),
  mirror: z.string(),
  forkRemote: z.string(),
  /** The lock's run id (`resolve-<id>`): only this resolution ends it. */
  lockRunId: z.string(),
  pin: ResolvePinSchema.nullable(),
  /** The old queue as the verify queue reader saw it, oldest first. */
  queue: z.array(ResolvePatchSchema),
  /** Recorded before the worktree and branch are created; cleanup removes only these. */
  worktree: z.string().nullable(),
  branch: z.string().nullable(),
  /** The rerere memory: whether it is in use, and a `<common dir>/rr-cache` link this resolution made (removed after each git command). */
  rerere: z.object({ enabled: z.boolean(), cache: z.string(), note: z.string(), link: z.string().nullable() }),
  stops: z.array(ResolveStopSchema),
  /** Patches the replay dropped because they became empty (already upstream by content). */
  droppedEmpty: z.array(ResolvePatchSchema),
  /** The replayed queue's tip, before the version bump. */
  replayedTip: sha.nullable(),
  finish: z
    .object({
      rangeDiff: z.array(RangeDiffEntrySchema),
      rangeDiffPath: z.string().nullable(),
      bump: z.record(z.string(), z.unknown()).nullable(),
      newTrunk: sha.nullable(),
      validation: z.object({ status: z.string(), summary: z.string(), skippedReason: z.string().nullable() }).nullable(),
      /** What finish moved locally (compare-and-swap), for a crash-safe retry or abort. */
      moved: z.array(z.object({ ref: z.string(), from: sha.nullable(), to: sha })),
      pushes: z.array(z.record(z.string(), z.unknown())),
      /** The validation evidence the publish gate checks against the new trunk's tree. */
      evidence: ValidationEvidenceSchema.nullable().optional(),
      /** What the publish gate proved (the report's patches are built from it). */
      proof: PublishProofSchema.nullable().optional(),
    })
    .nullable(),
  /** The context bundle written at `resolve start` (upstream commits, areas, fork patches per conflicted file, …). */
  contextBundle: z.object({ json: z.string(), md: z.string() }).optional(),
  warnings: z.array(z.string()),
  /** `resolve edit`: the patch the worktree is stopped at for editing (phase `editing`). */
  editing: z.object({ position: z.number().int(), subject: z.string(), sha }).nullable().optional(),
  /** Each `resolve fixup` / `resolve edit`, in order. */
  rewrites: z.array(ResolveRewriteSchema).optional(),
  /** Escalation gates accepted at a finish (kept across a retried finish). */
  accepted: z.array(z.object({ gate: z.enum(RESOLVE_GATES), reason: z.string(), by: z.string(), at: z.string() })).optional(),
});
export type ResolveState = z.infer<typeof ResolveStateSchema>;

export const ConflictHunkSchema = z.object({
  /** 1-based line of the `<<<<<<<` marker in the worktree file. */
  line: z.number().int(),
  upstream: z.array(z.string()),
  base: z.array(z.string()).nullable(),
  patch: z.array(z.string()),
  /** Lines left out of the three excerpts to keep them bounded. */
  truncated: z.number().int(),
});
export type ConflictHunk = z.infer<typeof ConflictHunkSchema>;

export const ConflictFileSchema = z.object({
  path: z.string(),
  /** Which index stages exist: 1 base, 2 upstream (HEAD of the replay), 3 the patch. */
  stages: z.array(z.number().int()),
  /** `both-modified`, `deleted-by-upstream`, `deleted-by-patch`, `both-added`, … */
  kind: z.string(),
  hunks: z.array(ConflictHunkSchema),
  /** Hunks left out beyond the bound. */
  moreHunks: z.number().int(),
  /** When the file has no text markers (binary, modify/delete): the heads of the stages (`git show :N:path`), bounded. */
  stageExcerpts: z.record(z.string(), z.array(z.string())).nullable(),
  fromMemory: z.boolean(),
});

export const UpstreamTouchSchema = z.object({
  sha,
  subject: z.string(),
  author: z.string(),
  date: z.string(),
  files: z.array(z.object({ path: z.string(), added: z.number().int().nullable(), deleted: z.number().int().nullable() })),
});
export type UpstreamTouch = z.infer<typeof UpstreamTouchSchema>;

/** What `resolve start|continue|status` print (the `data` of their --json envelope). */
export const ResolveViewSchema = z.object({
  id: z.string(),
  phase: z.enum(RESOLVE_PHASES),
  authorisedBy: z.string().nullable(),
  pin: ResolvePinSchema.nullable(),
  worktree: z.string().nullable(),
  branch: z.string().nullable(),
  worktreeExists: z.boolean(),
  /** Patch n of m where the replay stands (n = the stopped patch, or m when replayed). */
  position: z.number().int().nullable(),
  queueLength: z.number().int(),
  rebaseInProgress: z.boolean(),
  filesInConflict: z.array(z.string()),
  conflict: z
    .object({
      patch: z.object({ sha, subject: z.string(), message: z.string(), author: z.string() }),
      files: z.array(ConflictFileSchema),
      upstreamCommits: z.array(UpstreamTouchSchema),
      moreUpstreamCommits: z.number().int(),
    })
    .nullable(),
  /** Refs now, beside the pin: the truth after a crash. */
  refsNow: z.object({ trunk: sha.nullable(), mirror: sha.nullable() }),
  rerere: z.object({ enabled: z.boolean(), note: z.string() }),
  reappliedFromMemory: z.array(z.object({ position: z.number().int(), patch: z.string(), files: z.array(z.string()) })),
  /** After a finish that stopped (exit 14 or 18): what validation said (it names the failing crate / test) and the gates met. */
  lastFinish: z
    .object({
      validation: z.object({ status: z.string(), summary: z.string(), skippedReason: z.string().nullable() }).nullable(),
      gates: z.array(ResolveGateSchema),
    })
    .nullable()
    .optional(),
  /** The patch `resolve edit` stopped at (phase `editing`). */
  editing: z.object({ position: z.number().int(), subject: z.string(), sha }).nullable().optional(),
  next: z.array(z.string()),
  warnings: z.array(z.string()),
});
export type ResolveView = z.infer<typeof ResolveViewSchema>;

/** The resolution in progress, or null. A file that does not parse is an error: it must not be silently ignored. */
export function loadResolveState(scratchPath: string): ResolveState | null {
  const file = resolvePaths(scratchPath).state;
  if (!existsSync(file)) return null;
  return ResolveStateSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export function saveResolveState(scratchPath: string, state: ResolveState): void {
  state.updatedAt = new Date().toISOString();
  writeJsonAtomic(resolvePaths(scratchPath).state, ResolveStateSchema.parse(state));
}

/** Remove the in-progress state file (after a start that failed before its first conflict). */
export function rmResolveState(scratchPath: string): void {
  rmSync(resolvePaths(scratchPath).state, { force: true });
}

/** The report `resolve finish` writes (`resolve-report.json` in the day's report folder), whatever the outcome. */
export const ResolveReportSchema = z.object({
  schemaVersion: z.literal(1),
  kind: z.literal('resolve'),
  id: z.string(),
  outcome: z.enum(['resolved', 'push-blocked', 'validation-failed', 'gate-held', 'error']),
  exitCode: z.number().int(),
  /** Who authorised the agent to resolve (`--authorised-by`), and who ran it. */
  authorisedBy: z.string().nullable(),
  user: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  trunk: z.string(),
  mirror: z.string(),
  pin: ResolvePinSchema.nullable(),
  newTrunk: sha.nullable(),
  queueLength: z.number().int(),
  /** Per conflict stop: the patch, its files, what the resolution staged, what rerere re-applied from memory. */
  stops: z.array(ResolveStopSchema),
  /** Per patch: how the published patch differs from the original (`git range-diff`), from the publish gate's proof once it ran. */
  patches: z.array(RangeDiffEntrySchema),
  /** The publish gate's proof: old queue → new queue with patch-ids, markers checked, validation evidence, leases. */
  proof: PublishProofSchema.nullable().optional(),
  rangeDiffPath: z.string().nullable(),
  droppedEmpty: z.array(ResolvePatchSchema),
  bump: z.record(z.string(), z.unknown()).nullable(),
  validation: z.object({ status: z.string(), summary: z.string(), skippedReason: z.string().nullable() }).nullable(),
  publish: z.object({ atomic: z.boolean(), refs: z.array(z.record(z.string(), z.unknown())) }).nullable(),
  lease: z.object({ ref: z.string(), remote: z.string(), expected: sha.nullable(), actual: sha.nullable(), reason: z.string() }).nullable(),
  rerere: z.object({ enabled: z.boolean(), note: z.string() }),
  /** The escalation gates this resolution met, each held or accepted by name with a reason. */
  gates: z.array(ResolveGateSchema).default([]),
  /** Semantic fixes: each `resolve fixup` / `resolve edit`, attributed to the patch it changed. */
  rewrites: z.array(ResolveRewriteSchema).default([]),
  actions: z.array(z.string()),
  warnings: z.array(z.string()),
  errors: z.array(z.object({ code: z.string(), message: z.string() })),
});
export type ResolveReport = z.infer<typeof ResolveReportSchema>;
