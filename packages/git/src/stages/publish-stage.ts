import {
  errors,
  outcomeOf,
  pushUrlProblem,
  readRemoteUrls,
  shortSha,
  toErrorRecord,
  type Candidate,
  type Lease,
  type PublishData,
  type PublishRef,
  type RebaseDailyError,
  type StageContext,
  type StageImpl,
  type StageResult,
} from '@rebase-daily/core';
import { publishThroughGate } from '../gate/publish-gate.js';
import { validationEvidence } from './validation-evidence.js';

const short = (sha: string | null | undefined) => shortSha(sha, '(absent)');
const ORDER = { mirror: 0, trunk: 1, descendant: 2 } as const;

/** The refs a publish pushes, in the fixed order mirror, trunk, descendants (stable within a role). */
export function refsToPublish(candidates: readonly Candidate[]): Candidate[] {
  return candidates
    .filter((c) => c.status === 'moved' && c.publish && c.to !== null && c.to !== c.remote)
    .map((c, i) => ({ c, i }))
    .sort((a, b) => ORDER[a.c.role] - ORDER[b.c.role] || a.i - b.i)
    .map(({ c }) => c);
}

function emptyData(ctx: StageContext): PublishData {
  const { config } = ctx;
  return {
    when: config.publish.when,
    atomic: config.publish.atomic,
    pushEnabled: config.push.enabled,
    remote: config.remotes.fork,
    mode: 'none',
    refs: [],
    wouldPush: [],
    atomicUnsupported: false,
    commands: [],
    undone: [],
    notPublished: [],
  };
}

const refOf = (c: Candidate, outcome: string, moved: boolean, actual?: string | null): PublishRef => ({
  branch: c.branch,
  role: c.role,
  expected: c.remote,
  newSha: c.to as string,
  ...(actual !== undefined ? { actual } : {}),
  outcome,
  moved,
});

/**
 * Push `candidates` (already moved locally) to the fork remote: one `git push --atomic` with an
 * explicit lease per ref, each lease the fork's SHA observed at the start of the run — or, with
 * `publish.atomic: false`, one leased push per ref in the order mirror, trunk, descendants,
 * stopping at the first refusal. Records each pushed candidate as `published`. Used by the publish
 * stage, and by apply itself under `publish.when: "after-apply"`.
 */
export async function publishCandidates(ctx: StageContext, candidates: readonly Candidate[]): Promise<StageResult & { data: PublishData }> {
  const { config } = ctx;
  const data = emptyData(ctx);
  const fork = config.remotes.fork;
  const todo = refsToPublish(candidates);
  const markPublished = (c: Candidate) => ctx.recordCandidate({ ...c, status: 'published' });
  // Already on the fork remote (a rerun after the push went through): nothing to send.
  for (const c of candidates) if (c.status === 'moved' && c.publish && c.to !== null && c.to === c.remote) markPublished(c);
  if (todo.length === 0) return { status: 'ok', summary: 'nothing to publish: the fork remote already has every ref', data };
  if (!config.push.enabled) {
    data.wouldPush = todo.map((c) => refOf(c, 'not-attempted', false));
    return {
      status: 'ok',
      summary: `push.enabled is false: nothing pushed; would have pushed ${todo.map((c) => `${c.branch} ${short(c.remote)} → ${short(c.to)}`).join(', ')}`,
      data,
    };
  }
  const guard = await neverUpstream(ctx);
  if (guard) return { ...failedWith(guard), data };
  const trunk = todo.find((c) => c.role === 'trunk');
  const pin = ctx.state.pin;
  if (trunk && !pin) return { ...failedWith(errors.notVerified()), data };
  data.mode = config.publish.atomic ? 'atomic' : 'ordered';
  ctx.progress.info(`publish: ${config.publish.atomic ? 'one atomic push' : 'one push per ref'} of ${todo.map((c) => c.branch).join(', ')} to ${fork}, through the publish gate`);
  const gate = await publishThroughGate(ctx.run, {
    repo: config.repoPath,
    remote: fork,
    trunk: trunk && pin ? { oldTip: pin.trunk, upstream: pin.upstream, newTip: trunk.to as string } : null,
    version: config.version,
    validation: validationEvidence(ctx.state, config),
    refs: todo.map((c) => ({ branch: c.branch, expected: c.remote, next: c.to as string })),
    atomic: config.publish.atomic,
    timeoutMs: config.push.timeoutSeconds * 1000,
    since: 'since the run started',
  });
  if (gate.kind === 'refused') {
    data.mode = 'none';
    data.refs = todo.map((c) => refOf(c, 'not-attempted', false, gate.proof.leases.find((l) => l.branch === c.branch)?.actual ?? undefined));
    const err = gate.error;
    return { ...failedWith(err), summary: `publish to ${fork} refused by the publish gate (${err.code}); nothing moved on the fork remote: ${err.message}`, ...(gate.lease ? { lease: gate.lease } : {}), data, nextActions: [`Nothing was pushed to ${fork}: ${err.code}. Fix what the message names, then rerun rebase-daily; the refs were moved back and kept under refs/rebase-daily/candidates/.`] };
  }
  data.proof = gate.proof;
  const p = gate.publish;
  data.commands.push(...p.commands);
  const byBranch = new Map(p.refs.map((r) => [r.branch, r]));
  // A ref the fork already had (a retry) is not sent again: it counts as published.
  data.refs = todo.map((c) => {
    const r = byBranch.get(c.branch);
    return r ? refOf(c, r.outcome, r.ok, r.ok ? c.to : r.actual) : refOf(c, 'up-to-date', true, c.to);
  });
  if (p.atomicUnsupported) {
    data.atomicUnsupported = true;
    return { ...failedWith(errors.atomicUnsupported(fork)), data, nextActions: [`Set "publish": { "atomic": false } in ${config.configPath} to push the refs one by one, or move the fork to a remote that supports atomic pushes; then rerun.`] };
  }
  if (!p.ok) {
    for (const c of todo) if (byBranch.get(c.branch)?.ok) markPublished(c);
    return blocked(ctx, data, todo);
  }
  todo.forEach(markPublished);
  const how = config.publish.atomic ? ' in one atomic push' : ', one ref at a time (publish.atomic is false)';
  return { status: 'ok', summary: `published ${todo.map((c) => `${c.branch} ${short(c.remote)} → ${short(c.to)}`).join(', ')} to ${fork}${how}`, data };
}

/** A refused publish: exit 12, the expected and actual SHA of every ref, and which refs moved. */
function blocked(ctx: StageContext, data: PublishData, todo: Candidate[]): StageResult & { data: PublishData } {
  const fork = ctx.config.remotes.fork;
  // The ref that broke the push: the one whose remote is not what the lease expected, else the
  // one git named (with --atomic, the others only say "atomic push failed").
  const tried = data.refs.filter((r) => !r.moved && r.outcome !== 'not-attempted');
  const refused =
    tried.find((r) => r.actual !== undefined && r.actual !== r.expected) ?? tried.find((r) => !r.outcome.startsWith('atomic-failed')) ?? data.refs.find((r) => !r.moved)!;
  const lease: Lease = { ref: `refs/heads/${refused.branch}`, remote: fork, expected: refused.expected, actual: refused.actual ?? null, reason: refused.outcome };
  const moved = data.refs.filter((r) => r.moved).map((r) => r.branch);
  const err = errors.leaseBlocked(lease.ref, lease.expected ?? '(absent)', lease.actual ?? '(absent)', lease.reason);
  const each = data.refs.map((r) => `${r.branch}: expected ${short(r.expected)}, actual ${r.actual === undefined ? '(unknown)' : short(r.actual)}${r.moved ? ' (moved)' : ''}`).join('; ');
  return {
    status: 'failed',
    outcome: 'push-blocked',
    summary: `publish to ${fork} refused on ${refused.branch} (${refused.outcome}); ${moved.length ? `moved: ${moved.join(', ')}` : 'nothing moved on the fork remote'}. ${each}`,
    lease,
    data,
    errors: [{ ...err.toJSON(), details: { ...(err.toJSON().details ?? {}), refs: data.refs } }],
    nextActions: [
      `Fetch ${fork} and look at what is on ${refused.branch} there (git log ${short(refused.expected)}..${short(refused.actual)}).`,
      `Bring those commits into the local ${refused.branch} (or decide they must go), then rerun rebase-daily; the unpublished ${todo.length > 1 ? 'refs were' : 'ref was'} moved back and kept under refs/rebase-daily/candidates/.`,
    ],
  };
}

function failedWith(err: RebaseDailyError): StageResult {
  return { status: 'failed', outcome: outcomeOf(err), summary: err.message, errors: [err.toJSON()] };
}

/** Refuse when the fork remote pushes to the same place upstream lives: rebase-daily never pushes upstream. */
export async function neverUpstream(ctx: StageContext): Promise<RebaseDailyError | null> {
  return pushUrlProblem(ctx.config, await readRemoteUrls(ctx.run, ctx.config));
}

/**
 * publish: the one stage that writes to the fork remote. Pushes every candidate apply and align
 * moved locally (trunk, mirror, restacked descendants the fork already has) with the start-of-run
 * leases; descendants the fork never had are listed for `gt submit`, not created.
 */
export const publishStage: StageImpl = async (ctx) => {
  try {
    const candidates = ctx.state.candidates;
    const result = await publishCandidates(ctx, candidates);
    result.data.notPublished = candidates.filter((c) => c.status === 'moved' && !c.publish && c.to !== c.from).map((c) => c.branch);
    const byApply = candidates.filter((c) => c.status === 'published').map((c) => c.branch);
    if (result.status === 'ok' && refsToPublish(candidates).length === 0) {
      result.summary = byApply.length ? `nothing left to publish: ${byApply.join(', ')} published by apply (publish.when: after-apply)` : candidates.length ? result.summary : 'nothing to publish: no ref moved';
    }
    if (result.data.notPublished.length) {
      const w = `restacked locally, not on ${ctx.config.remotes.fork} before the run, so not pushed: ${result.data.notPublished.join(', ')} (publish with \`gt submit --stack\`)`;
      result.warnings = [...(result.warnings ?? []), w];
    }
    return result;
  } catch (err) {
    const record = toErrorRecord(err);
    return { status: 'failed', outcome: 'error', summary: record.message, errors: [record] };
  }
};
