import type { Outcome } from '@rebase-daily/core';

/** What `deriveNextActions` needs to know about a run (a subset of the report). */
export interface NextActionsInput {
  outcome: Outcome;
  trunk: string;
  /** The upstream ref rebased onto, e.g. upstream/main. */
  upstreamRef: string;
  forkRemote: string;
  startBranch: string | null;
  conflict: {
    stage: string;
    patch: { sha: string; subject: string } | null;
    position: number | null;
    queueLength: number | null;
    files: string[];
    branch?: string;
    reproduce: string[];
  } | null;
  lease: { ref: string; remote: string; expected: string | null; actual: string | null; reason: string; attempted?: boolean; local?: string | null } | null;
  lock: { path: string; holder: Record<string, unknown> | null; ageHours: number | null };
  errors: { code: string; message: string }[];
  leftovers: string[];
  trunkAfter: string | null;
  commandLog: string | null;
  /** Failing tests / steps of the validate stage, already extracted. */
  failingTests: string[];
  validationLog: string | null;
}

const short = (sha: string | null | undefined) => (sha ? sha.slice(0, 12) : '(none)');
const code = (line: string) => `\`${line}\``;

/**
 * The checklist a human follows after a run, derived from its outcome. Every line is one action;
 * reproduce commands come first so the reader sees the failure before fixing it.
 */
export function deriveNextActions(input: NextActionsInput): string[] {
  const actions: string[] = [];
  const { conflict, lease, trunk } = input;
  const patch = conflict?.patch ? `${short(conflict.patch.sha)} "${conflict.patch.subject}"` : 'the failing patch';
  const where =
    conflict && conflict.position !== null ? ` (patch ${conflict.position}${conflict.queueLength !== null ? ` of ${conflict.queueLength}` : ''})` : '';
  const files = conflict && conflict.files.length > 0 ? ` in ${conflict.files.join(', ')}` : '';
  const reproduce = () => {
    for (const line of conflict?.reproduce ?? []) actions.push(`Reproduce: ${code(line)}`);
  };

  switch (input.outcome) {
    case 'success':
    case 'no-change':
      break;
    case 'partial':
      actions.push(
        `Partial day: ${trunk} moved to the last upstream commit the queue replays onto; the rest of upstream stops at the conflict of ${patch}${where}${files}.`,
      );
      reproduce();
      actions.push(
        `Resolve that conflict on ${trunk} (adapt the patch to upstream), push ${trunk} to ${input.forkRemote}, then rerun rebase-daily to absorb the remaining upstream commits.`,
      );
      break;
    case 'verify-conflict':
      actions.push(`No branch tip moved: verify replays the queue without touching real branches.`);
      reproduce();
      actions.push(
        `Resolve the conflict of ${patch}${where}${files} on ${trunk}: rebase ${trunk} onto ${input.upstreamRef} by hand (or adapt the patch), push ${trunk} to ${input.forkRemote}, then rerun rebase-daily.`,
      );
      break;
    case 'apply-conflict':
      actions.push(
        `The rebase was aborted and ${input.startBranch ? `branch ${input.startBranch}` : 'the starting branch'} restored; nothing was pushed.`,
      );
      reproduce();
      actions.push(
        `Resolve the conflict of ${patch}${where}${files} on ${trunk}: rebase ${trunk} onto ${input.upstreamRef} by hand (or adapt the patch), push ${trunk} to ${input.forkRemote}, then rerun rebase-daily.`,
      );
      break;
    case 'push-blocked': {
      const remote = lease?.remote ?? input.forkRemote;
      const ref = lease?.ref ?? `refs/heads/${trunk}`;
      if (lease?.attempted === false) {
        const branch = ref.replace(/^refs\/heads\//, '');
        actions.push(`Nothing was pushed: no push was attempted (${lease.reason}).`);
        actions.push(`Fetch: ${code(`git fetch ${remote}`)}`);
        actions.push(`Inspect what ${remote} has that the local ${branch} lacks: ${code(`git log --oneline ${branch}..${remote}/${branch}`)}`);
        actions.push(`Bring those commits into ${branch} (rebase or merge it onto ${remote}/${branch}), or confirm they may be dropped; then rerun rebase-daily.`);
        break;
      }
      actions.push(`Nothing was overwritten: the push of ${ref} to ${remote} was refused${lease?.reason ? ` (${lease.reason})` : ''}.`);
      actions.push(`Fetch: ${code(`git fetch ${remote}`)}`);
      if (lease?.expected && lease.actual && lease.expected !== lease.actual) {
        actions.push(`Inspect the commits the remote has that this run did not expect: ${code(`git log --oneline ${lease.expected}..${lease.actual}`)}`);
      } else if (lease && !lease.actual) {
        actions.push(`The remote ref is missing or the push was rejected by protection: check ${ref} on ${remote} and its branch protection.`);
      } else {
        actions.push(`Inspect ${remote}'s ${trunk} against the local ${trunk}: ${code(`git log --oneline ${trunk}..${remote}/${trunk}`)}`);
      }
      actions.push(`Bring those commits into ${trunk} (or confirm they may be dropped), push ${trunk}, then rerun rebase-daily.`);
      break;
    }
    case 'lock-taken': {
      const h = input.lock.holder;
      const manual = h && typeof h.manual === 'object' && h.manual ? (h.manual as Record<string, unknown>) : null;
      const who = manual
        ? `a manual session of ${String(manual.user ?? '?')} on ${String(h?.hostname ?? '?')} ("${String(manual.reason ?? '')}") since ${String(h?.startedAt ?? '?')}`
        : h
          ? `run ${String(h.runId ?? '?')} (pid ${String(h.ownerPid ?? h.pid ?? '?')} on ${String(h.hostname ?? '?')}${h.command ? `, ${String(h.command)}` : ''}) since ${String(h.startedAt ?? '?')}`
          : 'an unknown run (no meta.json)';
      const age = input.lock.ageHours !== null ? ` (${input.lock.ageHours.toFixed(1)} h old)` : '';
      actions.push(`Nothing was touched: the lock ${input.lock.path} is held by ${who}${age}.`);
      if (manual) {
        actions.push(`That session ends its hold with \`rebase-daily unlock\` when its work on the trunk is done; rerun rebase-daily then.`);
        break;
      }
      actions.push(`If that run is still going, wait for it to finish; the date folder's report is still the last finished run's.`);
      actions.push(
        `If it crashed and the lock is older than lock.staleAfterHours, rerun with FORCE_STALE_LOCK=1 (the override is recorded in the report); FORCE_STALE_LOCK never breaks a fresh lock.`,
      );
      break;
    }
    case 'validation-failed':
      for (const t of input.failingTests.slice(0, 10)) actions.push(`Failing: ${t}`);
      if (input.failingTests.length > 10) actions.push(`… and ${input.failingTests.length - 10} more failing.`);
      if (input.validationLog) actions.push(`Read the log: ${input.validationLog}`);
      actions.push(
        `${trunk} was already pushed${input.trunkAfter ? ` at ${short(input.trunkAfter)}` : ''} before validation; nothing further was pushed.`,
      );
      actions.push(`Fix the failures on ${trunk}, push, then rerun rebase-daily.`);
      break;
    case 'graphite-failed':
      if (conflict?.branch) actions.push(`Restack conflict on branch ${conflict.branch}${files}.`);
      reproduce();
      actions.push(`${trunk} was already pushed; restack the Graphite descendants by hand (${code('gt restack')}), then rerun rebase-daily.`);
      break;
    case 'usage-error':
      for (const e of input.errors) actions.push(`${e.code}: ${e.message}`);
      actions.push(`Fix the arguments or config as described, then rerun; nothing was touched.`);
      break;
    case 'interrupted':
      actions.push(`The run was interrupted by a signal and cleaned up; nothing is half-done. Rerun rebase-daily when ready.`);
      break;
    case 'error':
      for (const e of input.errors) actions.push(`${e.code}: ${e.message}`);
      if (input.errors.length === 0) actions.push(`The run failed without a recorded error; read the command log.`);
      if (input.commandLog) actions.push(`Command log: ${input.commandLog}`);
      actions.push(`Fix the cause above, then rerun rebase-daily.`);
      break;
  }
  if (input.leftovers.length > 0) {
    actions.push(`Leftovers of a crashed run were found (temporary ones cleaned): ${input.leftovers.join(', ')}; check nothing else was left behind.`);
  }
  return actions;
}
