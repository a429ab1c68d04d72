import type { PublishProof, RangeDiffEntry } from '@rebase-daily/core';

const STATUS = {
  same: 'same',
  changed: 'changed',
  'dropped-upstream': 'dropped',
  'superseded-bump': 'dropped',
  removed: 'dropped',
  bump: 'added',
  added: 'added',
} as const;

/**
 * The published queue as range-diff entries (old position/SHA → new position/SHA), from the publish
 * gate's proof — the reports' patch lists are this, never a path's own record. Full SHAs. Pure.
 */
export function proofPatches(proof: PublishProof): RangeDiffEntry[] {
  return (proof.queue?.entries ?? []).map((e) => ({
    oldPosition: e.old?.position ?? null,
    newPosition: e.new?.position ?? null,
    oldSha: e.old?.sha ?? null,
    newSha: e.new?.sha ?? null,
    status: STATUS[e.status],
    subject: (e.new ?? e.old)?.subject ?? '',
    diff: e.rangeDiff,
  }));
}
