import { z } from 'zod';

/**
 * Readers for the stage `data` conventions (verify: queue, droppedUpstream, upstreamDelta; apply:
 * pushed, bump; align: descendants, restacked; validate: steps, tests). Stage data is free-form
 * JSON, so each reader accepts what it understands and ignores the rest rather than failing a report.
 */
const PatchList = z.array(z.object({ sha: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/), subject: z.string() }));
const Delta = z.object({ count: z.number().int().nonnegative(), range: z.string().nullable().optional() });

export type PatchRef = z.infer<typeof PatchList>[number];

export function readPatches(value: unknown): PatchRef[] {
  const parsed = PatchList.safeParse(value);
  return parsed.success ? parsed.data : [];
}

export function readUpstreamDelta(value: unknown): { count: number; range: string | null } | null {
  const parsed = Delta.safeParse(value);
  return parsed.success ? { count: parsed.data.count, range: parsed.data.range ?? null } : null;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function nameOf(item: unknown): string | null {
  if (typeof item === 'string') return item;
  if (isRecord(item)) {
    for (const key of ['name', 'test', 'id', 'step', 'command']) {
      const v = item[key];
      if (typeof v === 'string' && v.length > 0) return v;
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(' ');
    }
  }
  return null;
}

function failed(item: unknown): boolean {
  if (!isRecord(item)) return false;
  const status = item.status ?? item.outcome ?? item.result;
  if (typeof status === 'string') return /^(fail|failed|failure|error|timed-?out)$/i.test(status);
  if (item.ok === false || item.passed === false || item.success === false) return true;
  return typeof item.exitCode === 'number' && item.exitCode !== 0;
}

/** Failing tests and steps of the validate stage, most specific first (tests, then steps). */
export function readFailures(data: Record<string, unknown>): string[] {
  const out: string[] = [];
  const tests = data.tests;
  if (Array.isArray(tests)) {
    for (const t of tests) if (failed(t)) out.push(nameOf(t) ?? JSON.stringify(t));
  } else if (isRecord(tests)) {
    for (const key of ['failures', 'failed', 'failing']) {
      const list = tests[key];
      if (Array.isArray(list)) for (const t of list) out.push(nameOf(t) ?? JSON.stringify(t));
    }
    // @rebase-daily/cargo-validate: per-crate results with failingTests.
    if (Array.isArray(tests.crates)) {
      for (const c of tests.crates) {
        if (isRecord(c) && Array.isArray(c.failingTests)) for (const t of c.failingTests) out.push(`${String(c.crate)}: ${nameOf(t) ?? String(t)}`);
      }
    }
  }
  // Name failing steps only when no test names say more (a failed `cargo test` step is those tests).
  if (out.length === 0 && Array.isArray(data.steps)) {
    for (const s of data.steps) if (failed(s)) out.push(`step ${nameOf(s) ?? JSON.stringify(s)}`);
  }
  return [...new Set(out)];
}

/** The log of a failing validate step, else the stage's log. */
export function readLogPath(data: Record<string, unknown>): string | null {
  const pick = (r: Record<string, unknown>) => {
    for (const key of ['logPath', 'logFile', 'log']) if (typeof r[key] === 'string') return r[key] as string;
    return null;
  };
  if (Array.isArray(data.steps)) {
    for (const s of data.steps) if (failed(s) && isRecord(s) && pick(s)) return pick(s);
  }
  if (isRecord(data.tests) && pick(data.tests)) return pick(data.tests);
  return pick(data);
}

/** "40 passed, 2 failed, 1 ignored" from a tests record with counts or lists; null when it has neither. */
export function describeTestCounts(tests: unknown): string | null {
  if (!isRecord(tests)) return null;
  // @rebase-daily/cargo-validate: { totals: {binaries, passed, …}, crates: [{crate, passed, failed}] }
  if (isRecord(tests.totals)) {
    const totals = describeTestCounts(tests.totals);
    const crates = Array.isArray(tests.crates)
      ? tests.crates.filter(isRecord).map((c) => `${String(c.crate)} ${Number(c.passed ?? 0)}✓${Number(c.failed ?? 0) ? ` ${Number(c.failed)}✗` : ''}`)
      : [];
    const binaries = typeof tests.totals.binaries === 'number' ? ` in ${tests.totals.binaries} test binaries` : '';
    return `${totals ?? '—'}${binaries}${crates.length ? ` (${crates.join(', ')})` : ''}`;
  }
  const parts: string[] = [];
  for (const key of ['passed', 'failed', 'ignored', 'skipped']) {
    const v = tests[key];
    const n = typeof v === 'number' ? v : Array.isArray(v) ? v.length : null;
    if (n !== null) parts.push(`${n} ${key}`);
  }
  return parts.length > 0 ? parts.join(', ') : null;
}

/** "1.4.0-fork.1 → 1.5.0-fork.1" for a bump record with from/to, else a one-line view. */
export function describeBump(bump: unknown): string {
  if (isRecord(bump)) {
    // @rebase-daily/git's BumpResult: {status, previousVersion, forkVersion, source}
    if (typeof bump.forkVersion === 'string' && typeof bump.status === 'string') {
      const source = typeof bump.source === 'string' ? `, from ${bump.source}` : '';
      if (bump.status === 'unchanged') return `already ${bump.forkVersion} (no commit${source})`;
      if (bump.status === 'committed') return `${String(bump.previousVersion ?? '?')} → ${bump.forkVersion} (committed${source})${describeBumpChecks(bump.checks)}`;
      return `${bump.status}: ${String(bump.previousVersion ?? '?')} → ${bump.forkVersion}`;
    }
    const from = bump.from ?? bump.previous ?? bump.old;
    const to = bump.to ?? bump.version ?? bump.next ?? bump.new;
    if (typeof to === 'string') return typeof from === 'string' ? `${from} → ${to}` : to;
  }
  return describeValue(bump);
}

/** `; lock: …` from BumpResult.checks: member lock entries and `cargo metadata --locked` before/after. */
function describeBumpChecks(checks: unknown): string {
  if (!isRecord(checks)) return '';
  const parts: string[] = [];
  const entries = checks.lockEntries;
  if (isRecord(entries) && typeof entries.members === 'number') parts.push(`${entries.members} member lock entr${entries.members === 1 ? 'y' : 'ies'} checked`);
  const locked = checks.locked;
  if (isRecord(locked) && typeof locked.before === 'string') {
    parts.push(locked.before === 'ok' ? `cargo metadata --locked passes (before and ${locked.after === 'ok' ? 'after' : String(locked.after)})` : `cargo metadata --locked: ${locked.before} before the bump`);
  }
  return parts.length ? `; ${parts.join(', ')}` : '';
}

/** Superseded bump commits (verify/apply `data.superseded`) as one line: `sha` "subject", …; '' when none. */
export function describeSuperseded(value: unknown): string {
  if (!Array.isArray(value) || value.length === 0) return '';
  return value
    .filter(isRecord)
    .map((c) => `\`${String(c.sha ?? '').slice(0, 7)}\` "${String(c.subject ?? '')}"`)
    .join(', ');
}

/** A one-line view of a value for the summary (counts for arrays, booleans as yes/no). */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (Array.isArray(value)) {
    const names = value.map(nameOf);
    if (value.length > 0 && value.length <= 8 && names.every((n) => n !== null)) return names.join(', ');
    return `${value.length} item(s)`;
  }
  const json = JSON.stringify(value);
  return json.length > 160 ? `${json.slice(0, 157)}…` : json;
}

export { isRecord };
