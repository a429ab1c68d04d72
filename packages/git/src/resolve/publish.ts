import { describeCommand, lsRemoteBranch, type Lease, type Runner } from '@rebase-daily/core';
import { leaseArg } from '../lease-push.js';
import { classifyPush } from '../push-rejection.js';

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
  /** Was it one `git push --atomic` (all refs or none)? False after the remote refused --atomic. */
  atomic: boolean;
  refs: PublishedRef[];
  commands: string[];
  /** The first refused ref, as the report's lease record. */
  lease: Lease | null;
}

/**
 * The publishing step of `rebase-daily resolve finish`, behind a narrow interface so the pipeline's
 * publish stage can take its place: one `git push --atomic --porcelain` with an explicit
 * `--force-with-lease=refs/heads/<b>:<sha>` per ref. When the remote does not support atomic pushes
 * (git refuses before sending anything, no ref line), the refs go one by one in the given order, each
 * with its own lease, and the first refusal stops the rest.
 */
export async function publishRefs(run: Runner, repo: string, remote: string, refs: PublishRef[], options: { atomic: boolean; timeoutMs?: number }): Promise<PublishResult> {
  const out: PublishResult = { ok: true, atomic: options.atomic, refs: [], commands: [], lease: null };
  if (!refs.length) return out;
  const push = (batch: PublishRef[], atomic: boolean) =>
    run('git', ['push', '--porcelain', ...(atomic ? ['--atomic'] : []), ...batch.map((r) => leaseArg(r.branch, r.expected)), remote, ...batch.map((r) => `${r.next}:refs/heads/${r.branch}`)], {
      cwd: repo,
      timeoutMs: options.timeoutMs,
    });
  let batches: PublishRef[][] = options.atomic ? [refs] : refs.map((r) => [r]);
  if (options.atomic) {
    const r = await push(refs, true);
    out.commands.push(describeCommand(r));
    const anyLine = /^.\t[^\t]*:[^\t]*\t/m.test(r.stdout);
    if (r.exitCode === 0 || anyLine || r.timedOut) {
      return finish(run, repo, remote, out, refs.map((ref) => ({ ref, result: r })), options.timeoutMs);
    }
    // No ref line: git refused before sending. Atomic unsupported by the remote, or a pre-push hook.
    if (!/atomic/i.test(r.stderr)) return finish(run, repo, remote, out, refs.map((ref) => ({ ref, result: r })), options.timeoutMs);
    out.atomic = false;
    batches = refs.map((ref) => [ref]);
  }
  const results: { ref: PublishRef; result: Awaited<ReturnType<typeof push>> | null }[] = [];
  let stopped = false;
  for (const [ref] of batches) {
    if (stopped) {
      results.push({ ref, result: null });
      continue;
    }
    const r = await push([ref], false);
    out.commands.push(describeCommand(r));
    results.push({ ref, result: r });
    if (r.exitCode !== 0) stopped = true;
  }
  return finish(run, repo, remote, out, results, options.timeoutMs);
}

async function finish(
  run: Runner,
  repo: string,
  remote: string,
  out: PublishResult,
  results: { ref: PublishRef; result: { exitCode: number; timedOut: boolean; stdout: string; stderr: string } | null }[],
  timeoutMs?: number,
): Promise<PublishResult> {
  for (const { ref, result } of results) {
    const full = `refs/heads/${ref.branch}`;
    if (!result) {
      out.refs.push({ ...ref, ref: full, ok: false, outcome: 'not attempted: an earlier ref was refused' });
      out.ok = false;
      continue;
    }
    const o = classifyPush(result, full);
    const ok = result.exitCode === 0;
    const rec: PublishedRef = { ...ref, ref: full, ok, outcome: `${o.kind}${o.detail ? `: ${o.detail}` : ''}` };
    if (!ok) {
      out.ok = false;
      rec.actual = await lsRemoteBranch(run, repo, remote, ref.branch, timeoutMs);
    }
    out.refs.push(rec);
  }
  // The lease record names the ref that caused the refusal: in an atomic push the others are only
  // collateral ("atomic push failed"), and their remote SHA is still the expected one.
  const failed = out.refs.filter((p) => !p.ok && p.outcome !== 'not attempted: an earlier ref was refused');
  const cause = failed.find((p) => p.actual !== undefined && p.actual !== p.expected) ?? failed[0];
  if (cause) out.lease = { ref: cause.ref, remote, expected: cause.expected, actual: cause.actual ?? null, reason: cause.outcome };
  return out;
}
