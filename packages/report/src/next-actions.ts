import { type Outcome, shellQuote, shortSha } from '@rebase-daily/core';
import type { DocsLocation } from './docs-location.js';

/** What `deriveNextActions` needs to know about a run (a subset of the report). */
export interface NextActionsInput {
  outcome: Outcome;
  repo: string;
  configPath: string;
  trunk: string;
  /** The upstream ref rebased onto, e.g. upstream/main. */
  upstreamRef: string;
  /** The upstream SHA the run worked against (verify's pin), when known. */
  upstreamSha: string | null;
  forkRemote: string;
  /** The fork trunk as the run observed it after its fetch: the lease a manual push carries. */
  forkTrunkSha: string | null;
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
  /** The SHA this run pushed the trunk to on the fork remote (null: the trunk was not pushed). */
  trunkPushed?: string | null;
  commandLog: string | null;
  /** Failing tests / steps of the validate stage, already extracted. */
  failingTests: string[];
  validationLog: string | null;
  /** The docs of this install; runbook references name these files. */
  docs: DocsLocation | null;
  /** `conflicts.owner`: on an agent-owned fork a conflict is resolved with `rebase-daily resolve`, never by hand. */
  conflictsOwner?: 'human' | 'agent';
}

/** The runbook heading for each failing outcome (docs/runbook.md, "Recovery, per failure class"). */
const RUNBOOK_SECTION: Record<Outcome, string | null> = {
  success: null,
  'no-change': null,
  'verify-conflict': 'Exit 10: verify conflict',
  'apply-conflict': 'Exit 11: apply conflict',
  'push-blocked': 'Exit 12: push blocked',
  'graphite-failed': 'Exit 13: Graphite failed',
  'validation-failed': 'Exit 14: validation failed',
  'lock-taken': 'Exit 15: lock taken',
  partial: 'Exit 16: partial day',
  resolved: null,
  'not-ready': 'Exit 17: not ready yet',
  'gate-held': 'Exit 18: escalation gate',
  // 130 or 143 by the signal; both sections say the same: rerun.
  interrupted: 'Exit 130: interrupted (SIGINT)',
  error: 'Exit 1: error',
  'usage-error': 'Exit 2: usage or config error',
};

const code = (line: string) => `\`${line}\``;
const q = shellQuote;

/** What every outcome's checklist is written with: the input and the command builders. */
interface Writer {
  input: NextActionsInput;
  actions: string[];
  g: string;
  rd: string;
  patch: string;
  where: string;
  files: string;
  push: (expected: string | null) => string;
  reproduce: () => void;
  resolveByHand: (why: string) => void;
}

function writer(input: NextActionsInput): Writer {
  const actions: string[] = [];
  const { conflict, trunk } = input;
  const g = `git -C ${q(input.repo)}`;
  const rd = `rebase-daily --config ${q(input.configPath)}`;
  const patch = conflict?.patch ? `${shortSha(conflict.patch.sha)} "${conflict.patch.subject}"` : 'the failing patch';
  const where =
    conflict && conflict.position !== null ? ` (patch ${conflict.position}${conflict.queueLength !== null ? ` of ${conflict.queueLength}` : ''})` : '';
  const files = conflict && conflict.files.length > 0 ? ` in ${conflict.files.join(', ')}` : '';
  const push = (expected: string | null) =>
    `${g} push --force-with-lease=refs/heads/${trunk}:${expected ?? ''} ${q(input.forkRemote)} "$(${g} rev-parse refs/heads/${trunk})":refs/heads/${trunk}`;
  const reproduce = () => {
    for (const line of conflict?.reproduce ?? []) actions.push(`Reproduce: ${code(line)}`);
  };
  const resolveByHand = (why: string) => {
    if (input.conflictsOwner === 'agent') {
      // The operator agent's way (the prompt forbids a manual rebase and push): the tool's resolution, under its own hold of the lock.
      actions.push(`Resolve ${patch}${where}${files} with the tool (conflicts.owner "agent"): ${code(`${rd} resolve start --authorised-by ${q('<who authorised it>')}`)}`);
      actions.push(`Follow its next commands (${code(`${rd} resolve status`)} lists them): edit and \`git add\` in its worktree, then ${code(`${rd} resolve continue`)}, then ${code(`${rd} resolve finish`)}; to give up: ${code(`${rd} resolve abort`)}`);
      return;
    }
    actions.push(`Hold the lock while you work, so the scheduled run cannot start under you: ${code(`${rd} lock --reason ${q(why)}`)}`);
    actions.push(`Rebase ${trunk} onto the upstream SHA this run used, in the fork checkout: ${code(`${g} switch ${q(trunk)} && ${g} rebase ${input.upstreamSha ?? input.upstreamRef}`)}`);
    actions.push(`Resolve ${patch}${where}${files} (adapt the patch to upstream), ${code(`${g} add <files>`)}, ${code(`${g} rebase --continue`)}.`);
    actions.push(`Push with the lease on the fork trunk this run observed (${shortSha(input.forkTrunkSha)}): ${code(push(input.forkTrunkSha))}`);
    actions.push(`Release the lock and rerun: ${code(`${rd} unlock && ${rd} daily`)}`);
  };
  return { input, actions, g, rd, patch, where, files, push, reproduce, resolveByHand };
}

function partialDay(w: Writer): void {
  const { trunk } = w.input;
  w.actions.push(`Partial day: ${trunk} moved to the last upstream commit the queue replays onto; the rest of upstream stops at the conflict of ${w.patch}${w.where}${w.files}.`);
  w.reproduce();
  w.actions.push(`The remaining upstream commits need that conflict resolved; the next run absorbs them once it is.`);
  w.resolveByHand(`resolving the partial day's conflict of ${w.patch}`);
}

function verifyConflict(w: Writer): void {
  w.actions.push(`No branch tip moved: verify replays the queue without touching real branches.`);
  w.reproduce();
  w.resolveByHand(`resolving verify conflict of ${w.patch}`);
}

function applyConflict(w: Writer): void {
  w.actions.push(`The rebase was aborted and ${w.input.startBranch ? `branch ${w.input.startBranch}` : 'the starting branch'} restored; nothing was pushed.`);
  w.reproduce();
  w.resolveByHand(`resolving apply conflict of ${w.patch}`);
}

function pushBlocked(w: Writer): void {
  const { input, actions, g, rd } = w;
  const { lease, trunk } = input;
  const remote = lease?.remote ?? input.forkRemote;
  const ref = lease?.ref ?? `refs/heads/${trunk}`;
  if (lease?.attempted === false) {
    const branch = ref.replace(/^refs\/heads\//, '');
    actions.push(`Nothing was pushed: no push was attempted (${lease.reason}).`);
    actions.push(`Hold the lock while you work: ${code(`${rd} lock --reason ${q(`integrating ${remote} ${ref}`)}`)}`);
    actions.push(`Fetch: ${code(`${g} fetch ${q(remote)}`)}`);
    actions.push(`Inspect what ${remote} has that the local ${branch} lacks: ${code(`${g} log --oneline ${branch}..${remote}/${branch}`)}`);
    actions.push(`Bring those commits into ${branch} (rebase or merge it onto ${remote}/${branch}), or confirm they may be dropped.`);
    actions.push(`Release the lock and rerun: ${code(`${rd} unlock && ${rd} daily`)}`);
    return;
  }
  actions.push(`Nothing was overwritten: the push of ${ref} to ${remote} was refused${lease?.reason ? ` (${lease.reason})` : ''}.`);
  actions.push(`Hold the lock while you work: ${code(`${rd} lock --reason ${q(`integrating ${remote} ${ref}`)}`)}`);
  actions.push(`Fetch: ${code(`${g} fetch ${q(remote)}`)}`);
  if (lease?.expected && lease.actual && lease.expected !== lease.actual) {
    actions.push(`Inspect the commits the remote has that this run did not expect: ${code(`${g} log --oneline ${lease.expected}..${lease.actual}`)}`);
  } else if (lease && !lease.actual) {
    actions.push(`The remote ref is missing or the push was rejected by protection: check ${ref} on ${remote} and its branch protection.`);
  } else {
    actions.push(`Inspect ${remote}'s ${trunk} against the local ${trunk}: ${code(`${g} log --oneline ${trunk}..${remote}/${trunk}`)}`);
  }
  actions.push(`Bring those commits into ${trunk} (or confirm they may be dropped), then push with the lease on what the remote has now: ${code(w.push(lease?.actual ?? input.forkTrunkSha))}`);
  actions.push(`Release the lock and rerun: ${code(`${rd} unlock && ${rd} daily`)}`);
}

function lockTaken(w: Writer): void {
  const { input, actions, rd } = w;
  const h = input.lock.holder;
  const manual = h && typeof h.manual === 'object' && h.manual ? (h.manual as Record<string, unknown>) : null;
  const who = manual
    ? `a manual session of ${String(manual.user ?? '?')} on ${String(h?.hostname ?? '?')} ("${String(manual.reason ?? '')}") since ${String(h?.startedAt ?? '?')}`
    : h
      ? `run ${String(h.runId ?? '?')} (pid ${String(h.ownerPid ?? h.pid ?? '?')} on ${String(h.hostname ?? '?')}${h.command ? `, ${String(h.command)}` : ''}) since ${String(h.startedAt ?? '?')}`
      : 'an unknown run (no meta.json)';
  const age = input.lock.ageHours !== null ? ` (${input.lock.ageHours.toFixed(1)} h old)` : '';
  actions.push(`Nothing was touched: the lock ${input.lock.path} is held by ${who}${age}.`);
  const resolving = h && typeof h.resolve === 'object' && h.resolve ? (h.resolve as Record<string, unknown>) : null;
  if (resolving) {
    // A resolve hold ends only through resolve (unlock refuses it).
    actions.push(`It is conflict resolution ${String(resolving.id ?? '?')}: see where it stands with ${code(`${rd} resolve status`)}`);
    actions.push(`It ends with ${code(`${rd} resolve finish`)} (publish) or ${code(`${rd} resolve abort`)} (nothing moves); rerun then: ${code(`${rd} daily`)}`);
    return;
  }
  actions.push(`See who holds it: ${code(`${rd} status`)}`);
  if (manual) {
    actions.push(`That session ends its hold with ${code(`${rd} unlock`)} when its work on the trunk is done; rerun then: ${code(`${rd} daily`)}`);
    return;
  }
  actions.push(`If that run is still going, wait for it to finish; the date folder's report is still the last finished run's.`);
  actions.push(`If it crashed and the lock is older than lock.staleAfterHours, break it (recorded in the report; never breaks a fresh lock): ${code(`FORCE_STALE_LOCK=1 ${rd} daily`)}`);
}

function validationFailed(w: Writer): void {
  const { input, actions, rd } = w;
  const { trunk } = input;
  for (const t of input.failingTests.slice(0, 10)) actions.push(`Failing: ${t}`);
  if (input.failingTests.length > 10) actions.push(`… and ${input.failingTests.length - 10} more failing.`);
  if (input.validationLog) actions.push(`Read the log: ${input.validationLog}`);
  actions.push(
    input.trunkPushed
      ? `${trunk} was already pushed at ${shortSha(input.trunkPushed)} before validation (publish.when: after-apply); nothing further was pushed.`
      : `Nothing was pushed: ${trunk} never reached ${input.forkRemote}, and the local refs were moved back to where the run found them.`,
  );
  actions.push(`Hold the lock, fix the failures on ${trunk}, push, release and rerun: ${code(`${rd} lock --reason ${q('fixing validation')}`)} … ${code(`${rd} unlock && ${rd} daily`)}`);
}

function graphiteFailed(w: Writer): void {
  const { input, actions, rd } = w;
  const { trunk, conflict } = input;
  if (conflict?.branch) actions.push(`Restack conflict on branch ${conflict.branch}${w.files}.`);
  w.reproduce();
  actions.push(`${input.trunkPushed ? `${trunk} was already pushed at ${shortSha(input.trunkPushed)} (publish.when: after-apply)` : `Nothing was pushed (${trunk} and the mirror were moved back locally)`}; restack the Graphite descendants by hand: ${code(`${rd} lock --reason ${q('restacking descendants')}`)}, then ${code(`cd ${q(input.repo)} && gt restack --branch ${q(trunk)} --upstack`)}, then ${code(`${rd} unlock && ${rd} daily`)}`);
}

function usageError(w: Writer): void {
  for (const e of w.input.errors) w.actions.push(`${e.code}: ${e.message}`);
  w.actions.push(`Fix the arguments or config as described, then rerun; nothing was touched.`);
}

function interrupted(w: Writer): void {
  // The truth about local refs: a cleanup that could not move one back is said first, with its command.
  const left = w.input.errors.filter((e) => e.code === 'E_CLEANUP');
  if (left.length) {
    for (const e of left) w.actions.push(`${e.code}: ${e.message}`);
    w.actions.push(`The run was interrupted by a signal and its cleanup could not undo the above; do that first, then rerun: ${code(`${w.rd} daily`)}`);
    return;
  }
  w.actions.push(`The run was interrupted by a signal and cleaned up; nothing is half-done. Rerun when ready: ${code(`${w.rd} daily`)}`);
}

function runError(w: Writer): void {
  const { input, actions } = w;
  for (const e of input.errors) actions.push(`${e.code}: ${e.message}`);
  if (input.errors.length === 0) actions.push(`The run failed without a recorded error; read the command log.`);
  if (input.commandLog) actions.push(`Command log: ${input.commandLog}`);
  actions.push(`Fix the cause above, then rerun: ${code(`${w.rd} daily`)}`);
}

/** Each outcome's checklist; null where a run that ended so needs nothing done. */
const BY_OUTCOME: Record<Outcome, ((w: Writer) => void) | null> = {
  success: null,
  'no-change': null,
  resolved: null,
  // Only `resolve` ends so; its own view carries the next commands.
  'not-ready': null,
  'gate-held': null,
  partial: partialDay,
  'verify-conflict': verifyConflict,
  'apply-conflict': applyConflict,
  'push-blocked': pushBlocked,
  'lock-taken': lockTaken,
  'validation-failed': validationFailed,
  'graphite-failed': graphiteFailed,
  'usage-error': usageError,
  interrupted,
  error: runError,
};

/**
 * The checklist a human (or an operator agent) follows after a run, derived from its outcome. Every
 * line is one action; a line with a command gives it exactly, in backticks, runnable as is: the
 * manual work happens under `rebase-daily lock` and every push carries an explicit-SHA lease.
 */
export function deriveNextActions(input: NextActionsInput): string[] {
  const w = writer(input);
  BY_OUTCOME[input.outcome]?.(w);
  if (input.leftovers.length > 0) {
    w.actions.push(`Leftovers of a crashed run were found (temporary ones cleaned): ${input.leftovers.join(', ')}; check nothing else was left behind.`);
  }
  const section = RUNBOOK_SECTION[input.outcome];
  if (section && input.docs) w.actions.push(`Runbook: ${input.docs.runbook} (section "${section}").`);
  return w.actions;
}
