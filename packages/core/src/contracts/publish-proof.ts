import { z } from 'zod';

const sha = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'is not a full object id');

/** One commit of a queue, with the patch-id that identifies its change. */
export const ProofCommitSchema = z.object({ position: z.number().int(), sha, subject: z.string(), patchId: z.string().nullable() });
export type ProofCommit = z.infer<typeof ProofCommitSchema>;

/**
 * One line of the old queue → new queue map the publish gate proved:
 * - `same`: the new commit has the old patch's patch-id;
 * - `changed`: paired by `git range-diff` (its diff in `rangeDiff`);
 * - `dropped-upstream`: upstream already has it (`proof`: the upstream commit of the same patch-id, or an empty replay onto upstream);
 * - `superseded-bump`: an old version bump the fresh one replaces;
 * - `removed`: an explicit recorded decision (`proof` names it);
 * - `bump`: the one fresh version bump at the tip (not a patch);
 * - `added`: a new commit an explicit recorded decision allows.
 */
export const ProofEntrySchema = z.object({
  status: z.enum(['same', 'changed', 'dropped-upstream', 'superseded-bump', 'removed', 'bump', 'added']),
  old: ProofCommitSchema.nullable(),
  new: ProofCommitSchema.nullable(),
  proof: z.string(),
  rangeDiff: z.string(),
});
export type ProofEntry = z.infer<typeof ProofEntrySchema>;

/** What proves the published tree was validated. */
export const ValidationEvidenceSchema = z.object({
  /** validated: by this run; cached: a recorded result for the same tree; waived: explicit, with a reason; not-configured: no validation in the config. */
  kind: z.enum(['validated', 'cached', 'waived', 'not-configured']),
  /** The tree the evidence is about (null: waived or not configured). */
  tree: sha.nullable(),
  /** The run that validated it (a cached result names the run that recorded it). */
  runId: z.string().nullable(),
  at: z.string().nullable(),
  reason: z.string().nullable(),
});
export type ValidationEvidence = z.infer<typeof ValidationEvidenceSchema>;

/** One ref the gate let through: leased on the fork remote's SHA the run saw at its start. */
export const ProofLeaseSchema = z.object({ branch: z.string(), expected: sha.nullable(), next: sha, actual: sha.nullable() });

/**
 * The publish gate's proof (git's `gate/publish-gate.ts`): what every publish path — the daily
 * run's publish stage, `resolve finish` — proved about the exact refs before pushing them. The
 * report's publish section and the resolution report are built from it.
 */
export const PublishProofSchema = z.object({
  /** The queue the run started from (`base..tip`) and the new trunk (`upstream..tip`); null when the trunk is not pushed. */
  queue: z
    .object({
      old: z.object({ base: sha, tip: sha }),
      new: z.object({ base: sha, tip: sha }),
      entries: z.array(ProofEntrySchema),
    })
    .nullable(),
  /** Files the new queue changes, checked for conflict markers the old queue and upstream did not have. */
  markers: z.object({ checked: z.array(z.string()), found: z.array(z.string()) }),
  validation: ValidationEvidenceSchema.nullable(),
  leases: z.array(ProofLeaseSchema),
  /** The history is whole: not shallow, no partial-clone object missing. */
  history: z.object({ shallow: z.boolean(), partial: z.boolean(), missing: z.number().int() }),
  provedAt: z.string(),
});
export type PublishProof = z.infer<typeof PublishProofSchema>;
