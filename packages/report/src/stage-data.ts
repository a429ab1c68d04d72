import { readStageData, type ApplyData, type StageDataMap, type SupersededCommit, type ValidateData } from '@rebase-daily/core';

/** The typed data of every stage of a run (core's contracts); null for a stage that recorded none. */
export type RunData = { [K in Exclude<keyof StageDataMap, 'report'>]: StageDataMap[K] | null };

/**
 * Read each stage's data with core's schemas. Data that does not match its contract is not
 * guessed at: it reads as null and its problems become report warnings.
 */
export function readRunData(state: { stages: readonly { name: string; data: Record<string, unknown> }[] }): { data: RunData; problems: string[] } {
  const problems: string[] = [];
  const read = <N extends keyof RunData>(name: N): RunData[N] => {
    const r = readStageData(state, name);
    if (r.problems.length) problems.push(`${name} stage data does not match its contract: ${r.problems.join('; ')}`);
    return r.data as RunData[N];
  };
  return { data: { verify: read('verify'), apply: read('apply'), align: read('align'), validate: read('validate'), publish: read('publish') }, problems };
}

/** Failing tests (`crate: test`), else the failed steps, of a validation. */
export function failingTests(v: ValidateData | null): string[] {
  if (!v) return [];
  const tests = (v.tests?.failingTests ?? []).map((t) => `${t.crate ?? t.binary}: ${t.test}`);
  if (tests.length) return [...new Set(tests)];
  return v.steps.filter((s) => s.status !== 'ok').map((s) => `step ${s.name} (${s.reason ?? s.status})`);
}

/** The log of the first step that did not pass, else the test log. */
export function validationLog(v: ValidateData | null): string | null {
  if (!v) return null;
  return v.steps.find((s) => s.status !== 'ok')?.logFile ?? v.tests?.logFile ?? null;
}

/** "40 passed, 2 failed, 1 ignored in 3 test binaries (core 30✓, cli 10✓ 2✗)". */
export function describeTestCounts(tests: NonNullable<ValidateData['tests']>): string {
  const t = tests.totals;
  const crates = tests.crates.map((c) => `${c.crate} ${c.passed}✓${c.failed ? ` ${c.failed}✗` : ''}`);
  return `${t.passed} passed, ${t.failed} failed, ${t.ignored} ignored in ${t.binaries} test binaries${crates.length ? ` (${crates.join(', ')})` : ''}`;
}

/** "1.4.0-fork.1 → 1.5.0-fork.1 (committed, from Cargo.toml)". */
export function describeBump(bump: NonNullable<ApplyData['bump']>): string {
  const source = bump.source ? `, from ${bump.source}` : '';
  if (bump.status === 'unchanged') return `already ${bump.forkVersion ?? '?'} (no commit${source})`;
  if (bump.status === 'committed') return `${bump.previousVersion ?? '?'} → ${bump.forkVersion ?? '?'} (committed${source})${describeBumpChecks(bump.checks)}`;
  return `failed: ${bump.previousVersion ?? '?'} → ${bump.forkVersion ?? '?'}${bump.error ? ` (${bump.error.message})` : ''}`;
}

/** `; 12 member lock entries checked, cargo metadata --locked passes (before and after)` from the bump's checks. */
function describeBumpChecks(checks: NonNullable<ApplyData['bump']>['checks']): string {
  if (!checks) return '';
  const parts: string[] = [];
  const entries = checks.lockEntries;
  if (entries) parts.push(`${entries.members} member lock entr${entries.members === 1 ? 'y' : 'ies'} checked`);
  const { before, after } = checks.locked;
  parts.push(before === 'ok' ? `cargo metadata --locked passes (before and ${after === 'ok' ? 'after' : after})` : `cargo metadata --locked: ${before} before the bump`);
  return `; ${parts.join(', ')}`;
}

/** Superseded bump commits as one line: `sha` "subject", …; '' when none. */
export function describeSuperseded(list: readonly SupersededCommit[] | undefined): string {
  return (list ?? []).map((c) => `\`${c.sha.slice(0, 7)}\` "${c.subject}"`).join(', ');
}
