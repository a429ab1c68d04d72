import { z } from 'zod';
import { PublishProofSchema } from './publish-proof.js';
import { SHA_PATTERN } from '../process/sha.js';

const sha = z.string().regex(SHA_PATTERN, 'is not a full object id');

/**
 * One ref the run moves locally and may publish: recorded in the run state *before* the ref moves
 * (status `recorded`), so a crash between the move and the publish leaves a record the next run
 * recognises. `to` is null only while a tool that moves refs itself (`gt restack`) is running.
 */
export const CandidateSchema = z.object({
  branch: z.string(),
  role: z.enum(['mirror', 'trunk', 'descendant']),
  /** The local branch at the start of the run (null: it did not exist). */
  from: sha.nullable(),
  /** What the run moves it to. */
  to: sha.nullable(),
  /** The fork remote's branch observed at the start of the run: the lease of the publish (null: absent). */
  remote: sha.nullable(),
  /** Does publish push it? (A descendant the fork remote never had is not ours to create there.) */
  publish: z.boolean(),
  /**
   * recorded: about to move; moved: the local ref is at `to`; published: the fork remote has `to`;
   * undone: moved back to `from`, the candidate kept under `keptAs`; kept: left moved locally by a
   * run that ended well without publishing (push.enabled false, a single-stage command).
   */
  status: z.enum(['recorded', 'moved', 'published', 'undone', 'kept']),
  /** `refs/rebase-daily/candidates/<runId>/<branch>` once undone. */
  keptAs: z.string().nullable().default(null),
});
export type Candidate = z.infer<typeof CandidateSchema>;

/** A file put back when the candidates are undone (Graphite's metadata database). */
export const UndoFileSchema = z.object({ path: z.string(), backup: z.string() });
export type UndoFile = z.infer<typeof UndoFileSchema>;

/** One ref of a publish push, as the report shows it. */
export const PublishRefSchema = z.object({
  branch: z.string(),
  role: z.enum(['mirror', 'trunk', 'descendant']),
  /** The lease: the fork remote's SHA observed at the start of the run. */
  expected: sha.nullable(),
  newSha: sha,
  /** The fork remote's SHA after the push (read back on failure; null: absent; undefined: unknown). */
  actual: sha.nullable().optional(),
  /** pushed, up-to-date, stale-info, atomic-failed, not-attempted, … (git's word for this ref). */
  outcome: z.string(),
  moved: z.boolean(),
});
export type PublishRef = z.infer<typeof PublishRefSchema>;

/** The publish stage's data (`stages[publish].data`). */
export const PublishDataSchema = z.object({
  when: z.enum(['after-validate', 'after-apply']),
  atomic: z.boolean(),
  pushEnabled: z.boolean(),
  remote: z.string(),
  /** `atomic`: one `git push --atomic`; `ordered`: one push per ref (publish.atomic false); `none`. */
  mode: z.enum(['atomic', 'ordered', 'none']),
  refs: z.array(PublishRefSchema),
  /** With push.enabled false: what would have been pushed. */
  wouldPush: z.array(PublishRefSchema),
  /** The remote refused `--atomic` ("the receiving end does not support --atomic push"). */
  atomicUnsupported: z.boolean(),
  commands: z.array(z.string()),
  /** Candidates moved back at the end of a run that stopped (refs kept for inspection). */
  undone: z.array(CandidateSchema),
  /** Descendants restacked locally that the fork remote does not have: publish them with `gt submit`. */
  notPublished: z.array(z.string()),
  /** What the publish gate proved before pushing (null: the gate refused or nothing was pushed). */
  proof: PublishProofSchema.nullable().optional(),
});
export type PublishData = z.infer<typeof PublishDataSchema>;

/** Where an undone candidate is kept: `refs/rebase-daily/candidates/<runId>/<branch>`. */
export const CANDIDATE_REF_PREFIX = 'refs/rebase-daily/candidates/';
export function candidateRef(runId: string, branch: string): string {
  return `${CANDIDATE_REF_PREFIX}${runId}/${branch}`;
}
