import type { LockFinding, LockMerge, PolicyDecision, Runner } from '@rebase-daily/core';
import { mergeBySide } from '../policy/merge-by-side.js';
import { type PathPolicy, type PolicyRule, policyFor } from '../policy/path-policy.js';
import { parseToml } from '../version/cargo-manifest.js';
import type { LockMerger } from './lock-merger.js';
import { memberVersions, mergerFor } from './mechanical.js';

/** What the tool may settle on its own: `conflicts.mechanical` and `conflicts.policy`. */
export interface SettleRules {
  mechanical: readonly string[];
  policy?: PathPolicy;
}

export type FilePlan = { file: string; kind: 'lock'; merger: LockMerger } | { file: string; kind: 'policy'; rule: PolicyRule };

const CONTENTS = 'CONFLICT (contents)';

/**
 * How a stop would be settled, or null when some conflicted file is the user's: every file must be
 * a path removed for good (any conflict: it is deleted), or a lock file with a merger, or a path a
 * `prefer` glob names — those two only for plain content conflicts (all three versions present).
 */
export function planStop(files: readonly string[], typesOf: (file: string) => readonly string[], rules: SettleRules): FilePlan[] | null {
  if (files.length === 0) return null;
  const plans: FilePlan[] = [];
  for (const file of files) {
    const rule = policyFor(file, rules.policy);
    const contents = typesOf(file).every((t) => t === CONTENTS);
    const merger = mergerFor(file, rules.mechanical);
    if (rule?.rule === 'removed') plans.push({ file, kind: 'policy', rule });
    else if (merger && contents) plans.push({ file, kind: 'lock', merger });
    else if (rule && contents) plans.push({ file, kind: 'policy', rule });
    else return null;
  }
  return plans;
}

/** What settling a stop decided: files to write (or remove), and the records for the stage data. */
export interface Settlement {
  writes: { file: string; text: string }[];
  removes: string[];
  merges: Omit<LockMerge, 'patch' | 'position' | 'queueLength'>[];
  decisions: Omit<PolicyDecision, 'patch' | 'position' | 'queueLength'>[];
}

/**
 * Settle every planned file from its three versions (`sides(file)`; not read for removals) and the
 * manifests after the merge (for lock member versions). Findings when a lock cannot be merged by
 * structure or a side cannot be taken.
 */
export async function settlePlans(
  run: Runner,
  plans: readonly FilePlan[],
  sides: (file: string) => { base: string; ours: string; theirs: string },
  manifests: readonly { path: string; text: string }[],
): Promise<{ ok: true; settlement: Settlement } | { ok: false; findings: LockFinding[] }> {
  const settlement: Settlement = { writes: [], removes: [], merges: [], decisions: [] };
  const findings: LockFinding[] = [];
  for (const plan of plans) {
    if (plan.kind === 'policy' && plan.rule.rule === 'removed') {
      settlement.removes.push(plan.file);
      settlement.decisions.push({ file: plan.file, rule: 'removed', glob: plan.rule.glob, hunks: [] });
      continue;
    }
    const s = sides(plan.file);
    if (plan.kind === 'policy') {
      const r = await mergeBySide(run, s, plan.rule.rule === 'prefer-fork' ? 'theirs' : 'ours');
      if (!r) findings.push({ file: plan.file, findings: [`git merge-file could not take the ${plan.rule.rule === 'prefer-fork' ? 'fork' : 'upstream'} side`] });
      else {
        settlement.writes.push({ file: plan.file, text: r.text });
        settlement.decisions.push({ file: plan.file, rule: plan.rule.rule, glob: plan.rule.glob, hunks: r.hunks });
      }
      continue;
    }
    let r;
    try {
      r = plan.merger.merge({ ...s, members: memberVersions(plan.file, manifests, parseToml) });
    } catch (error) {
      r = { ok: false as const, findings: [`not a lock the merger can read: ${error instanceof Error ? error.message : String(error)}`] };
    }
    if (!r.ok) findings.push({ file: plan.file, findings: r.findings });
    else {
      settlement.writes.push({ file: plan.file, text: r.text });
      settlement.merges.push({ file: plan.file, entries: r.entries });
    }
  }
  return findings.length ? { ok: false, findings } : { ok: true, settlement };
}
