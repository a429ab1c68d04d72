import { RESOLVE_GATES, resolveErrors, type ResolveGate, type ResolveGateRecord, type ResolveState, shortSha } from '@rebase-daily/core';


/**
 * The escalation gates a resolution met, from its recorded data: `outside-hunks` (a resolution
 * changed lines outside the conflicting hunks, hunk-scope.ts) and `dropped-patch` (the range-diff
 * lists a patch as dropped, or the replay dropped one as empty). Each carries the human's
 * acceptance when `--accept <gate> --reason TEXT` was given (kept in the state across retries).
 */
export function resolutionGates(state: ResolveState): ResolveGateRecord[] {
  const found: { name: ResolveGate; detail: string }[] = [];
  const outside = state.stops.flatMap((s) => (s.outsideHunks ?? []).map((o) => `patch ${s.position} "${s.patch.subject}": ${o.path}`));
  if (outside.length) found.push({ name: 'outside-hunks', detail: `changes outside the conflicting hunks in ${outside.join('; ')}` });
  const dropped = new Map<string, string>();
  for (const e of state.finish?.rangeDiff ?? []) if (e.status === 'dropped') dropped.set(e.oldSha ?? e.subject, `"${e.subject}"`);
  for (const p of state.droppedEmpty) if (![...dropped.keys()].some((k) => p.sha.startsWith(k))) dropped.set(p.sha, `${shortSha(p.sha)} "${p.subject}"`);
  if (dropped.size) found.push({ name: 'dropped-patch', detail: `the resolved queue drops ${[...dropped.values()].join(', ')}` });
  return found.map((g) => {
    const a = (state.accepted ?? []).filter((x) => x.gate === g.name).at(-1);
    return { ...g, accepted: a ? { reason: a.reason, by: a.by, at: a.at } : null };
  });
}

/** Record `--accept <gate>…` with its reason; an unknown gate name is a usage error (exit 2), nothing recorded. */
export function acceptGates(state: ResolveState, names: string[], reason: string | undefined, by: string): void {
  if (!names.length) return;
  for (const n of names) if (!(RESOLVE_GATES as readonly string[]).includes(n)) throw resolveErrors.unknownGate(n, RESOLVE_GATES);
  if (!reason?.trim()) throw resolveErrors.acceptNeedsReason();
  const at = new Date().toISOString();
  state.accepted = [...(state.accepted ?? []), ...names.map((gate) => ({ gate: gate as ResolveGate, reason: reason.trim(), by, at }))];
}
