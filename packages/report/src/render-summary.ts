import type { Outcome } from '@rebase-daily/core';
import { localDate } from '@rebase-daily/core';
import type { Report, ReportStage } from './report-schema.js';
import { describeBump, describeSuperseded, describeTestCounts, failingTests, readRunData, validationLog, type RunData } from './stage-data.js';

const OUTCOME_ICON: Record<Outcome, string> = {
  success: '✅',
  'no-change': '✅',
  partial: '🟡',
  'verify-conflict': '❌',
  'apply-conflict': '❌',
  'push-blocked': '⛔',
  'graphite-failed': '❌',
  'validation-failed': '❌',
  'lock-taken': '🔒',
  error: '❌',
  'usage-error': '⚠️',
  interrupted: '⏹️',
  resolved: '✅',
  'not-ready': '⏳',
  'gate-held': '✋',
};

const STATUS_ICON: Record<ReportStage['status'], string> = { ok: '✅', failed: '❌', skipped: '⏭️', 'not-configured': '➖' };

const short = (sha: string | null | undefined) => (sha ? sha.slice(0, 7) : 'none');
const tick = (s: string) => `\`${s}\``;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** "850 ms", "12.3 s", "2 min 5 s". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/**
 * `summary.md`: outcome and exit code on the first line, one paragraph of what changed, the stage
 * table, then only the details that apply (conflict, lease, lock, validation, Graphite, errors),
 * next actions and where the files are.
 */
export function renderSummary(report: Report): string {
  const out: string[] = [];
  const { data } = readRunData(report);
  out.push(`# rebase-daily ${localDate(report.startedAt)}: ${OUTCOME_ICON[report.outcome]} ${report.outcome}${notValidatedNote(report)} (exit ${report.exitCode})`, '');
  out.push(whatChanged(report, data), '');

  out.push('| Stage | Status | Time | Summary |', '| --- | --- | --- | --- |');
  for (const s of report.stages) {
    out.push(`| ${s.name} | ${STATUS_ICON[s.status]} ${s.status} | ${formatDuration(s.durationMs)} | ${cell(s.summary || '')} |`);
  }
  out.push('');

  for (const section of [
    patchesSection(report),
    conflictSection(report),
    leaseSection(report),
    lockSection(report),
    validationSection(report, data),
    graphiteSection(report),
    sideEffectsSection(report),
    problemsSection(report),
  ]) {
    if (section.length > 0) out.push(...section, '');
  }

  if (report.nextActions.length > 0) {
    out.push('## Next actions', '');
    report.nextActions.forEach((a, i) => out.push(`${i + 1}. ${a}`));
    out.push('');
  }

  out.push('## Files', '');
  if (report.outcome !== 'lock-taken') out.push(`- Report: ${tick(`${report.paths.dateDir}/report.json`)}`);
  out.push(`- This run: ${tick(`${report.paths.runDir}/`)}`);
  if (report.commands.log) out.push(`- Command log: ${tick(report.commands.log)}${report.commands.count > 0 ? ` (${plural(report.commands.count, 'command')}, ${report.commands.failed} non-zero)` : ''}`);
  if (report.docs) out.push(`- Runbook: ${tick(report.docs.runbook)}`);
  out.push(`- Run ${tick(report.runId)} (${report.command}) on ${report.host}, ${report.startedAt} → ${report.finishedAt} (${formatDuration(report.durationMs)})`);
  return `${out.join('\n')}\n`;
}

/**
 * Exit 0 means "rebased and validated": a day that published a trunk no validation ran on says
 * otherwise on its first line, where a reader (and a cron mail subject) sees it.
 */
export function notValidatedNote(report: Report): string {
  if (report.outcome !== 'success' && report.outcome !== 'partial') return '';
  return report.stages.some((s) => s.name === 'validate' && s.status === 'not-configured') ? ' — rebased, not validated: no validate section' : '';
}

/** Align restacks descendants even on a day the trunk stays put; say so in the headline paragraph. */
function restackedLine(r: Report): string[] {
  const restacked = r.graphite?.restacked ?? [];
  return restacked.length > 0 ? [`Graphite: restacked ${restacked.map(tick).join(', ')} (not pushed).`] : [];
}

/** "upstream moved by 3 (`a..b`) since the last fetch". */
function movedLine(r: Report): string | null {
  const m = r.upstream.moved;
  if (!m) return null;
  return m.count === 0 ? `${tick(r.refs.upstream)} had not moved since the last fetch.` : `${tick(r.refs.upstream)} moved by ${plural(m.count, 'commit')} since the last fetch (${tick(shortRange(m.range))}).`;
}

const shortRange = (range: string) => range.split('..').map((x) => short(x)).join('..');

function whatChanged(r: Report, data: RunData): string {
  const { before, after } = r.shas;
  const trunk = tick(r.refs.trunk);
  const pending = r.upstream.pending;
  const absorbed = r.upstream.absorbed;
  const queue = r.patches.queue.length;
  const dropped = r.patches.droppedUpstream.length;
  const parts: string[] = [];
  const moved = movedLine(r);
  switch (r.outcome) {
    case 'success':
    case 'partial': {
      const trunkMoved = after.trunk && after.trunk !== before.trunk;
      const verified = r.stages.some((s) => s.name === 'verify' && s.status === 'ok');
      // Only counts the run knows: a run without verify (e.g. `apply` alone) has no queue to count.
      const counts = [
        absorbed ? `trunk now contains ${plural(absorbed.count, 'new upstream commit')} (${tick(shortRange(absorbed.range))})` : null,
        verified || queue > 0 ? `${plural(queue, 'patch', 'patches')} replayed` : null,
        dropped > 0 ? `${dropped} dropped as already upstream` : null,
      ].filter(Boolean);
      const head = trunkMoved
        ? `Trunk ${trunk} moved ${tick(short(before.trunk))} → ${tick(short(after.trunk))}`
        : `Trunk ${trunk} stays at ${tick(short(after.trunk ?? before.trunk))}`;
      parts.push(counts.length > 0 ? `${head}: ${counts.join(', ')}.` : `${head}.`);
      if (moved) parts.push(moved);
      if (after.mirror && after.mirror !== before.mirror) parts.push(`Mirror ${tick(r.refs.mirror)} fast-forwarded to ${tick(short(after.mirror))}.`);
      if (r.pushed.length > 0) parts.push(`Pushed to ${r.refs.remotes.fork}: ${r.pushed.map((p) => `${tick(p.ref.replace(/^refs\/heads\//, ''))} → ${tick(short(p.newSha))}`).join(', ')}.`);
      const bump = data.apply?.bump;
      if (bump) parts.push(`Version bump: ${describeBump(bump)}.`);
      const superseded = describeSuperseded(data.apply?.superseded);
      if (superseded) parts.push(`Superseded by the fresh bump (left out of the replay): ${superseded}.`);
      const advance = data.verify?.partial ? data.verify.advance : undefined;
      if (advance) {
        const { lastClean: lc, firstBreaking: fb, patch } = advance;
        const files = advance.files.map(tick);
        parts.push(
          `Partial day (onConflict: advance): moved to upstream ${tick(short(lc.sha))} "${lc.subject}" (${advance.absorbed} of ${advance.upstreamCount} new upstream commit(s)); ${advance.remaining} upstream commit(s) left, first breaking ${tick(short(fb.sha))} "${fb.subject}" (conflicts with patch ${tick(short(patch.sha))} "${patch.subject}"${files.length ? ` in ${files.join(', ')}` : ''}).`,
        );
      }
      parts.push(...restackedLine(r));
      break;
    }
    case 'no-change':
      parts.push(
        `Nothing to do for the trunk: ${trunk} (${tick(short(after.trunk ?? before.trunk))}) already contains ${tick(r.refs.upstream)} (${tick(short(after.upstream ?? before.upstream))}); trunk and mirror did not move.`,
      );
      if (moved) parts.push(moved);
      parts.push(...restackedLine(r));
      break;
    case 'verify-conflict':
    case 'apply-conflict': {
      const c = r.conflict;
      const which = c?.patch ? `Patch ${c.position ?? '?'}${c.queueLength ? ` of ${c.queueLength}` : ''} (${tick(short(c.patch.sha))} ${c.patch.subject})` : 'The patch queue';
      const onto = `${tick(r.refs.upstream)} (${tick(short(r.shas.observed?.upstream ?? after.upstream))}${pending ? `, ${plural(pending.count, 'upstream commit')} the trunk does not have` : ''})`;
      parts.push(`${which} does not replay onto ${onto}${c && c.files.length > 0 ? `: conflicts in ${c.files.map(tick).join(', ')}` : ''}.`);
      if (moved) parts.push(moved);
      parts.push(
        r.outcome === 'verify-conflict'
          ? `No branch tip moved; trunk ${trunk} stays at ${tick(short(before.trunk))}; it absorbed no upstream commit.`
          : `The rebase was aborted; nothing was pushed and trunk ${trunk} stays at ${tick(short(before.trunk))}; it absorbed no upstream commit.`,
      );
      break;
    }
    case 'push-blocked': {
      const l = r.lease;
      parts.push(
        l?.attempted === false
          ? `No push was attempted: ${l.reason}. Nothing was pushed.`
          : l
          ? `The push of ${tick(l.ref)} to ${l.remote} was refused: expected ${tick(short(l.expected))}, found ${tick(short(l.actual))} (${l.reason}). Nothing was overwritten.`
          : `A push to ${r.refs.remotes.fork} was refused. Nothing was overwritten.`,
      );
      if (r.pushed.length > 0) parts.push(`Pushed before the refusal: ${r.pushed.map((p) => tick(p.ref)).join(', ')}.`);
      parts.push(absorbed ? `Trunk ${trunk} now contains ${plural(absorbed.count, 'new upstream commit')}.` : `Trunk ${trunk} stays at ${tick(short(after.trunk ?? before.trunk))}; it absorbed no upstream commit.`);
      break;
    }
    case 'lock-taken': {
      const h = r.lock.holder;
      parts.push(
        `Another run holds the lock${h ? ` (run ${tick(String(h.runId ?? '?'))}, pid ${String(h.ownerPid ?? h.pid ?? '?')} on ${String(h.hostname ?? '?')}, since ${String(h.startedAt ?? '?')})` : ''}. This run touched nothing.`,
      );
      break;
    }
    case 'validation-failed':
    case 'graphite-failed': {
      const trunkMoved = after.trunk && after.trunk !== before.trunk;
      const what = r.outcome === 'validation-failed' ? 'Validation failed' : 'Graphite alignment failed';
      parts.push(
        trunkMoved
          ? `${what} after trunk ${trunk} moved ${tick(short(before.trunk))} → ${tick(short(after.trunk))}${absorbed ? ` (it now contains ${plural(absorbed.count, 'new upstream commit')})` : ''}.`
          : `${what}; trunk ${trunk} is at ${tick(short(before.trunk))}.`,
      );
      if (r.pushed.length > 0) parts.push(`Pushed to ${r.refs.remotes.fork} before that: ${r.pushed.map((p) => tick(p.ref.replace(/^refs\/heads\//, ''))).join(', ')}.`);
      break;
    }
    case 'interrupted':
      parts.push(`Interrupted by a signal (exit ${r.exitCode}); cleaned up like any stopped run. Rerun when ready.`);
      break;
    case 'error':
    case 'usage-error': {
      const first = r.errors[0];
      parts.push(first ? `${first.code}: ${first.message}` : 'The run failed without a recorded error.');
      if (r.errors.length > 1) parts.push(`(${r.errors.length - 1} more error(s) below.)`);
      break;
    }
  }
  if (r.lock.override) parts.push('A stale lock was broken (FORCE_STALE_LOCK=1).');
  return parts.join(' ');
}

/** The queue old → new, and what was dropped because upstream has it (with that upstream commit). */
function patchesSection(r: Report): string[] {
  const { queue, droppedUpstream, lockMerges = [], lockConfirmation, policyDecisions = [], reintroduced = [] } = r.patches;
  if (queue.length === 0 && droppedUpstream.length === 0 && lockMerges.length === 0 && policyDecisions.length === 0) return [];
  const out = ['## Patches', ''];
  for (const p of queue) out.push(`- ${tick(short(p.sha))} → ${p.newSha ? tick(short(p.newSha)) : '(not moved)'} ${p.subject}`);
  for (const d of droppedUpstream) {
    out.push(`- ${tick(short(d.sha))} dropped: ${d.subject} — upstream has it${d.upstream ? ` as ${tick(short(d.upstream.sha))} "${d.upstream.subject}" (${d.upstream.author}, ${d.upstream.date})` : ''}`);
  }
  for (const m of lockMerges) {
    out.push(`- patch ${m.position}/${m.queueLength} ${tick(short(m.patch.sha))}: ${tick(m.file)} merged by structure, ${m.entries.length} ${m.entries.length === 1 ? 'entry' : 'entries'} (${m.entries.map((e) => `${e.name} ${e.change}`).join(', ') || 'none'})`);
  }
  for (const d of policyDecisions) {
    const what = d.rule === 'removed' ? 'removed again (removed for good)' : `took the ${d.rule === 'prefer-fork' ? 'fork' : 'upstream'} side in ${d.hunks.length} hunk(s)`;
    out.push(`- patch ${d.position}/${d.queueLength} ${tick(short(d.patch.sha))}: ${tick(d.file)} ${what} (conflicts.policy ${tick(d.glob)})`);
  }
  if (reintroduced.length) out.push(`- upstream re-introduced path(s) the fork removed for good: ${reintroduced.map(tick).join(', ')}`);
  if (lockConfirmation) out.push(`- ${tick(lockConfirmation.file)}: ${lockConfirmation.status === 'confirmed' ? 'confirmed by cargo' : `not confirmed by cargo (${lockConfirmation.detail})`}`);
  return out;
}

function conflictSection(r: Report): string[] {
  const c = r.conflict;
  if (!c) return [];
  const out = ['## Conflict', '', `- Stage: ${c.stage}`];
  if (c.patch) out.push(`- Patch: ${tick(c.patch.sha.slice(0, 12))} ${c.patch.subject}${c.position !== null ? ` (${c.position}${c.queueLength !== null ? ` of ${c.queueLength}` : ''} in the queue)` : ''}`);
  if (c.branch) out.push(`- Branch: ${tick(c.branch)}`);
  if (c.files.length > 0) out.push(`- Files: ${c.files.map(tick).join(', ')}`);
  const loc = c.localization;
  if (loc && typeof loc.summary === 'string') out.push(`- Localization: ${loc.summary}`);
  for (const l of c.lockFindings ?? []) out.push(`- ${tick(l.file)} could not be merged by structure: ${l.findings.map(cell).join('; ')}`);
  for (const u of c.context?.upstreamCommits ?? []) {
    out.push(`- Upstream ${tick(short(u.sha))} "${u.subject}" by ${u.author}, ${u.date}${u.body ? `: ${cell(u.body)}` : ''}`);
  }
  if (c.reproduce.length > 0) out.push('- Reproduce:', '', '  ```sh', ...c.reproduce.map((l) => `  ${l}`), '  ```');
  for (const h of c.context?.hunks ?? []) {
    if (h.patch) out.push(`- The patch in ${tick(h.file)}:`, '', '  ```diff', ...h.patch.split('\n').map((l) => `  ${l}`), '  ```');
    if (h.upstream) out.push(`- Upstream's change to ${tick(h.file)}:`, '', '  ```diff', ...h.upstream.split('\n').map((l) => `  ${l}`), '  ```');
  }
  return out;
}

function leaseSection(r: Report): string[] {
  const l = r.lease;
  if (!l) return [];
  if (l.attempted === false) {
    return ['## Push blocked', '', `- Ref: ${tick(l.ref)} on ${l.remote}`, `- Push attempted: no (nothing was pushed)`, `- Found on ${l.remote}: ${tick(l.actual ?? 'none')}`, ...(l.local ? [`- Local trunk: ${tick(l.local)}`] : []), `- Reason: ${l.reason}`];
  }
  return ['## Push blocked', '', `- Ref: ${tick(l.ref)} on ${l.remote}`, `- Expected: ${tick(l.expected ?? 'none')}`, `- Actual: ${tick(l.actual ?? 'none')}`, `- Reason: ${l.reason}`];
}

function lockSection(r: Report): string[] {
  const t = r.lock.takenOver;
  if (!r.lock.override && !t && r.outcome !== 'lock-taken') return [];
  const h = r.lock.holder;
  const out = ['## Lock', '', `- Path: ${tick(r.lock.path)}`, `- Override: ${r.lock.override ? 'yes (FORCE_STALE_LOCK=1 broke a stale lock)' : 'no'}`];
  if (t) out.push(`- Taken over from run ${tick(String(t.previous.runId ?? 'unknown'))} (${String(t.previous.command ?? '—')}, since ${String(t.previous.startedAt ?? '—')}): its holder is dead — ${t.reason}`);
  if (h) out.push(`- Holder: ${Object.entries(h).filter(([k]) => k !== 'shas').map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ')}`);
  if (r.lock.ageHours !== null) out.push(`- Age: ${r.lock.ageHours.toFixed(1)} h`);
  return out;
}

function validationSection(r: Report, data: RunData): string[] {
  const s = r.stages.find((x) => x.name === 'validate');
  const v = data.validate;
  if (!s || (s.status !== 'ok' && s.status !== 'failed') || !v) return [];
  const out = ['## Validation', ''];
  if (v.cached) out.push(`- Replayed the recorded success of run ${v.cachedFrom ?? '?'} (same tree, config and toolchain)`);
  for (const step of v.steps) out.push(`- ${step.name}: ${step.status}${step.reason ? ` (${step.reason})` : ''} (${formatDuration(step.durationMs)})`);
  if (v.format && v.format.changedFiles.length) out.push(`- Formatting changed: ${v.format.changedFiles.map(tick).join(', ')}${v.format.diffPath ? ` (diff: ${tick(v.format.diffPath)})` : ''}`);
  if (v.tests) out.push(`- Tests: ${describeTestCounts(v.tests)}`);
  const failures = failingTests(v);
  if (failures.length > 0) out.push(`- Failing: ${failures.slice(0, 10).map(tick).join(', ')}${failures.length > 10 ? ` and ${failures.length - 10} more` : ''}`);
  const log = validationLog(v);
  if (log) out.push(`- Log: ${tick(log)}`);
  return out.length > 2 ? out : [];
}

function graphiteSection(r: Report): string[] {
  const g = r.graphite;
  if (!g) return [];
  const out = ['## Graphite', ''];
  out.push(`- Descendants: ${g.descendants.length ? '' : 'none (restack skipped)'}`);
  for (const d of g.descendants) {
    out.push(`  - ${tick(d.branch)} on ${tick(d.parent)}: ${tick(short(d.before))}${d.restacked ? ` → ${tick(short(d.after))} (restacked)` : d.after ? ' (already on its parent)' : ''}`);
  }
  if (g.publish.length) out.push(`- Publish (by a human): ${g.publish.map(tick).join(', ')}`);
  return out;
}

function sideEffectsSection(r: Report): string[] {
  return r.sideEffects.length ? ['## Side effects', '', ...r.sideEffects.map((e) => `- ${e}`)] : [];
}

function problemsSection(r: Report): string[] {
  const out: string[] = [];
  if (r.errors.length > 0) out.push('## Errors', '', ...r.errors.map((e) => `- ${tick(e.code)} ${e.message}`), '');
  if (r.warnings.length > 0) out.push('## Warnings', '', ...r.warnings.map((w) => `- ${w}`), '');
  if (r.leftovers.length > 0) out.push('## Leftovers found', '', ...r.leftovers.map((l) => `- ${tick(l)}`), '');
  if (out.at(-1) === '') out.pop();
  return out;
}
