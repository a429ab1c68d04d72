import {
  assertWholeHistory,
  errors,
  RebaseDailyError,
  type Lease,
  type PublishProof,
  type Runner,
  type ValidationEvidence,
} from '@rebase-daily/core';
import { forkMoved } from '../refs/fork-unmoved.js';
import { publishRefs, type PublishRef, type PublishResult } from '../refs/push-refs.js';
import type { VersionConfig } from '../version/upstream-version.js';
import { introducedMarkers } from './markers.js';
import { mapQueue, type QueueDecision } from './queue-map.js';

/** What a publish path is about to push, and what it knows about it. */
export interface GateRequest {
  repo: string;
  remote: string;
  /** The trunk about to be pushed: the tip the run started from, the upstream it was replayed onto, the new tip. Null: the trunk is not among the refs. */
  trunk: { oldTip: string; upstream: string; newTip: string } | null;
  version?: VersionConfig;
  /** Explicit recorded decisions: patches removed from the queue, commits added to it. */
  decisions?: { removed?: readonly QueueDecision[]; added?: readonly QueueDecision[] };
  /** The evidence the new trunk's tree was validated (or why it was not); required when `trunk` is set. */
  validation: ValidationEvidence | null;
  /** Every ref, leased on the fork remote's SHA the run saw at its start. */
  refs: readonly PublishRef[];
  atomic: boolean;
  timeoutMs?: number;
  /** When the run saw the fork ("since verify", "during the resolution"): words the lease refusal. */
  since: string;
}

export type GateOutcome =
  /** An invariant does not hold: nothing was pushed. */
  | { kind: 'refused'; error: RebaseDailyError; proof: PublishProof; lease?: Lease }
  /** Proven and pushed (`publish.ok`), or proven and the remote refused the leased push. */
  | { kind: 'pushed'; proof: PublishProof; publish: PublishResult };

/**
 * The publish gate: the one function through which anything moves a ref on the fork remote (the
 * daily run's publish stage, apply under `publish.when: "after-apply"`, `resolve finish`). Given
 * the exact refs, it proves — and refuses with a typed error naming the failing invariant, having
 * pushed nothing — that the history is whole (E_SHALLOW_REPO), that each ref on the fork is where
 * the run saw it (E_LEASE_BLOCKED), that the new trunk's queue maps one to one onto the old one
 * (E_QUEUE_MISMATCH), that it adds no conflict markers (E_CONFLICT_MARKERS), and that its exact
 * tree was validated or the waiver is explicit (E_UNVALIDATED_TREE); then pushes every ref with
 * its explicit lease in one leased push (`publishRefs`). The proof it returns is what the reports
 * of what was published are built from.
 */
export async function publishThroughGate(run: Runner, req: GateRequest): Promise<GateOutcome> {
  const { repo, remote } = req;
  const proof: PublishProof = {
    queue: null,
    markers: { checked: [], found: [] },
    validation: req.validation,
    leases: req.refs.map((r) => ({ branch: r.branch, expected: r.expected, next: r.next, actual: null })),
    history: { shallow: false, partial: false, missing: 0 },
    provedAt: new Date().toISOString(),
  };
  const refuse = (error: RebaseDailyError, lease?: Lease): GateOutcome => ({ kind: 'refused', error, proof, ...(lease ? { lease } : {}) });
  const t = req.trunk;
  try {
    proof.history = await assertWholeHistory(run, repo, remote, t ? [t.oldTip, t.upstream, t.newTip] : req.refs.map((r) => r.next));
  } catch (err) {
    if (err instanceof RebaseDailyError) return refuse(err);
    throw err;
  }

  const fork = await forkMoved(run, repo, remote, req.refs, { since: req.since, timeoutMs: req.timeoutMs });
  for (const l of proof.leases) l.actual = fork.actual.get(l.branch) ?? null;
  if (fork.moved) {
    const m = fork.moved;
    return refuse(errors.leaseBlocked(m.ref, m.expected ?? '(absent)', m.actual ?? '(absent)', m.reason, false), m);
  }

  if (t) {
    const map = await mapQueue(run, repo, { ...t, version: req.version, removed: req.decisions?.removed, added: req.decisions?.added });
    proof.queue = { old: { base: map.oldBase, tip: t.oldTip }, new: { base: t.upstream, tip: t.newTip }, entries: map.entries };
    if (map.problems.length) return refuse(errors.queueMismatch(map.problems));
    proof.markers = await introducedMarkers(run, repo, t);
    if (proof.markers.found.length) return refuse(errors.conflictMarkers(proof.markers.found));
    const tree = (await run('git', ['rev-parse', '--verify', '--quiet', `${t.newTip}^{tree}`], { cwd: repo })).stdout.trim();
    const why = unvalidated(req.validation, tree);
    if (why) return refuse(errors.unvalidatedTree(tree, why));
  }

  // Refs the fork already has (a retry after the push went through) are not sent again.
  const todo = req.refs.filter((r) => fork.actual.get(r.branch) !== r.next);
  const publish = await publishRefs(run, repo, remote, todo, { atomic: req.atomic, timeoutMs: req.timeoutMs });
  return { kind: 'pushed', proof, publish };
}

/** Why `evidence` does not cover `tree`, or null when it does. */
export function unvalidated(evidence: ValidationEvidence | null, tree: string): string | null {
  if (!evidence) return 'no validation evidence';
  switch (evidence.kind) {
    case 'validated':
    case 'cached':
      return evidence.tree === tree ? null : `the ${evidence.kind === 'cached' ? 'cached result' : 'validation'} is for tree ${evidence.tree?.slice(0, 12) ?? '(none)'}`;
    case 'waived':
      return evidence.reason?.trim() ? null : 'a waiver without a reason';
    case 'not-configured':
      return null;
  }
}
