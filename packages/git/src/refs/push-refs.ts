import { errors, type ErrorRecord, type Lease, type Runner } from '@rebase-daily/core';
import { atomicLeasePush, leasePush } from './lease-push.js';
import type { PushOutcome } from './push-rejection.js';

/** One branch to publish: move `refs/heads/<branch>` on the remote from exactly `expected` (null: absent) to `next`. */
export interface PublishRef {
  branch: string;
  expected: string | null;
  next: string;
}

export interface PublishedRef extends PublishRef {
  ref: string;
  ok: boolean;
  outcome: string;
  /** After a failure: the remote's actual SHA (null: absent, undefined: unknown). */
  actual?: string | null;
}

export interface PublishResult {
  ok: boolean;
  /** Was it one `git push --atomic` (all refs or none)? False with `publish.atomic: false`. */
  atomic: boolean;
  /** The remote refused `--atomic` itself (E_ATOMIC_UNSUPPORTED): nothing was sent. */
  atomicUnsupported: boolean;
  refs: PublishedRef[];
  commands: string[];
  /** The first refused ref, as the report's lease record. */
  lease: Lease | null;
  /** E_ATOMIC_UNSUPPORTED when the remote refused `--atomic`; null otherwise (a refusal is in `lease`). */
  error: ErrorRecord | null;
}

const NOT_ATTEMPTED = 'not-attempted';
const outcomeText = (o: PushOutcome) => `${o.kind}${o.detail ? `: ${o.detail}` : ''}`;

/**
 * The one leased push of every publish path (the publish gate calls it for the publish stage and `resolve finish`)
 * (`lease-push.ts`): with `atomic`, one `git push --atomic --porcelain` with an explicit
 * `--force-with-lease=refs/heads/<b>:<sha>` per ref (`atomicLeasePush`); a remote that refuses
 * `--atomic` is E_ATOMIC_UNSUPPORTED with nothing sent, as in the publish stage. With
 * `atomic: false` (`publish.atomic: false`), one `leasePush` per ref in the given order, and the
 * first refusal stops the rest.
 */
export async function publishRefs(run: Runner, repo: string, remote: string, refs: PublishRef[], options: { atomic: boolean; timeoutMs?: number }): Promise<PublishResult> {
  const out: PublishResult = { ok: true, atomic: options.atomic, atomicUnsupported: false, refs: [], commands: [], lease: null, error: null };
  if (!refs.length) return out;
  const timeoutMs = options.timeoutMs;
  if (options.atomic) {
    const p = await atomicLeasePush(run, repo, remote, refs.map((r) => ({ branch: r.branch, newSha: r.next, expected: r.expected })), { timeoutMs });
    out.commands.push(p.command);
    out.ok = p.ok;
    out.refs = refs.map((r, i) => ({ ...r, ref: `refs/heads/${r.branch}`, ok: p.ok, outcome: outcomeText(p.refs[i].outcome), ...(p.ok ? {} : { actual: p.refs[i].actual }) }));
    if (p.atomicUnsupported) {
      out.atomicUnsupported = true;
      out.error = errors.atomicUnsupported(remote).toJSON();
    }
  } else {
    for (const r of refs) {
      if (!out.ok) {
        out.refs.push({ ...r, ref: `refs/heads/${r.branch}`, ok: false, outcome: NOT_ATTEMPTED });
        continue;
      }
      const p = await leasePush(run, repo, remote, r.branch, r.next, r.expected, { timeoutMs });
      out.commands.push(p.command);
      out.ok = p.ok;
      out.refs.push({ ...r, ref: p.ref, ok: p.ok, outcome: outcomeText(p.outcome), ...(p.ok ? {} : { actual: p.actual }) });
    }
  }
  if (!out.ok) out.lease = leaseOf(remote, out.refs);
  return out;
}

/**
 * The lease record names the ref that caused the refusal, as the publish stage does: the one whose
 * remote is not what its lease expected, else the one git named (with --atomic, the others only say
 * "atomic push failed").
 */
function leaseOf(remote: string, refs: PublishedRef[]): Lease {
  const tried = refs.filter((p) => !p.ok && p.outcome !== NOT_ATTEMPTED);
  const cause =
    tried.find((p) => p.actual !== undefined && p.actual !== p.expected) ?? tried.find((p) => !p.outcome.startsWith('atomic-failed')) ?? tried[0] ?? refs[0];
  return { ref: cause.ref, remote, expected: cause.expected, actual: cause.actual ?? null, reason: cause.outcome };
}
