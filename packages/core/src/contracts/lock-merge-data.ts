import { z } from 'zod';

/**
 * What the replay engines settle by themselves: lock files a patch conflicts in only mechanically,
 * merged by their structure (see @rebase-daily/git `src/lockfile/`). Shared by verify and apply
 * data and by the conflict record (a lock the merger could not settle, with its findings).
 */
export const LockEntryChangeSchema = z.strictObject({
  name: z.string(),
  version: z.string(),
  change: z.enum(['added', 'removed', 'changed']),
  fields: z.array(z.string()).optional(),
});

/** One lock file of one patch merged by structure: "patch 18/28: Cargo.lock merged by structure, 3 entries". */
export const LockMergeSchema = z.strictObject({
  patch: z.strictObject({ sha: z.string(), subject: z.string() }),
  /** 1-based position of the patch in the replayed queue, and that queue's length. */
  position: z.number().int(),
  queueLength: z.number().int(),
  file: z.string(),
  /** The merged lock's entries that differ from the new base's: what the patch brought. */
  entries: z.array(LockEntryChangeSchema),
});
export type LockMerge = z.infer<typeof LockMergeSchema>;

/** Whether cargo accepted the day's merged lock (`cargo metadata --offline --locked` in a scratch checkout of the result). */
export const LockConfirmationSchema = z.strictObject({
  status: z.enum(['confirmed', 'not-confirmed', 'no-cargo']),
  file: z.string(),
  detail: z.string(),
});
export type LockConfirmation = z.infer<typeof LockConfirmationSchema>;

/** A lock conflict the merger could not settle: the file and one line per finding. */
export const LockFindingSchema = z.strictObject({ file: z.string(), findings: z.array(z.string()) });
export type LockFinding = z.infer<typeof LockFindingSchema>;

/** A conflicted file decided by `conflicts.policy`: the side a glob prefers, or a path the fork removed for good. */
export const PolicyDecisionSchema = z.strictObject({
  patch: z.strictObject({ sha: z.string(), subject: z.string() }),
  position: z.number().int(),
  queueLength: z.number().int(),
  file: z.string(),
  rule: z.enum(['prefer-fork', 'prefer-upstream', 'removed']),
  glob: z.string(),
  /** The conflicting hunks the rule decided, as `git merge-file` marks them (bounded); empty for a removal. */
  hunks: z.array(z.string()),
});
export type PolicyDecision = z.infer<typeof PolicyDecisionSchema>;
