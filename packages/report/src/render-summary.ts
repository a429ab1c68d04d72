import type { Outcome } from '@rebase-daily/core';
import { localDate } from '@rebase-daily/core';
import type { Report, ReportStage } from './report-schema.js';
import { describeBump, describeTestCounts, describeValue, isRecord, readFailures, readLogPath } from './stage-data.js';

const OUTCOME_ICON: Record<Outcome, string> = {
  success: '✅',
  'no-change': '✅',
  'verify-conflict': '❌',
  'apply-conflict': '❌',
  'push-blocked': '⛔',
  'graphite-failed': '❌',
  'validation-failed': '❌',
  'lock-taken': '🔒',
  error: '❌',
  'usage-error': '⚠️',
  resolved: '✅',
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
  out.push(`# rebase-daily ${localDate(report.startedAt)}: ${OUTCOME_ICON[report.outcome]} ${report.outcome} (exit ${report.exitCode})`, '');
  out.push(whatChanged(report), '');

  out.push('| Stage | Status | Time | Summary |', '| --- | --- | --- | --- |');
  for (const s of report.stages) {
    out.push(`| ${s.name} | ${STATUS_ICON[s.status]} ${s.status} | ${formatDuration(s.durationMs)} | ${cell(s.summary || '')} |`);
  }
  out.push('');

  for (const section of [conflictSection(report), leaseSection(report), lockSection(report), validationSection(report), graphiteSection(report), problemsSection(report)]) {
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
  if (report.commands.log) out.push(`- Command log: ${tick(report.commands.log)}${report.commands.count > 0 ? ` (${plural(report.commands.count, 'command')})` : ''}`);
  out.push(`- Run ${tick(report.runId)} (${report.command}) on ${report.host}, ${report.startedAt} → ${report.finishedAt} (${formatDuration(report.durationMs)})`);
  return `${out.join('\n')}\n`;
}

/** Align restacks descendants even on a day the trunk stays put; say so in the headline paragraph. */
function restackedLine(r: Report): string[] {
  const restacked = r.stages.find((s) => s.name === 'align')?.data?.restacked;
  return Array.isArray(restacked) && restacked.length > 0 ? [`Graphite: restacked ${restacked.map((b) => tick(String(b))).join(', ')} (not pushed).`] : [];
}

function whatChanged(r: Report): string {
  const { before, after } = r.shas;
  const trunk = tick(r.refs.trunk);
  const delta = r.upstreamDelta;
  const queue = r.patches.queue.length;
  const dropped = r.patches.droppedUpstream.length;
  const absorbed = delta ? `${plural(delta.count, 'upstream commit')} absorbed${delta.range ? ` (${tick(delta.range)})` : ''}` : null;
  const parts: string[] = [];
  switch (r.outcome) {
    case 'success': {
      const moved = after.trunk && after.trunk !== before.trunk;
      const verified = r.stages.some((s) => s.name === 'verify' && s.status === 'ok');
      // Only counts the run knows: a run without verify (e.g. `apply` alone) has no queue to count.
      const counts = [
        absorbed,
        verified || queue > 0 ? `${plural(queue, 'patch', 'patches')} replayed` : null,
        dropped > 0 ? `${dropped} dropped as already upstream` : null,
      ].filter(Boolean);
      const head = moved
        ? `Trunk ${trunk} moved ${tick(short(before.trunk))} → ${tick(short(after.trunk))}`
        : `Trunk ${trunk} stays at ${tick(short(after.trunk ?? before.trunk))}`;
      parts.push(counts.length > 0 ? `${head}: ${counts.join(', ')}.` : `${head}.`);
      if (after.mirror && after.mirror !== before.mirror) parts.push(`Mirror ${tick(r.refs.mirror)} fast-forwarded to ${tick(short(after.mirror))}.`);
      const apply = r.stages.find((s) => s.name === 'apply')?.data ?? {};
      if (apply.pushed !== undefined) parts.push(`Pushed to ${r.refs.remotes.fork}: ${describeValue(apply.pushed)}.`);
      if (apply.bump !== undefined && apply.bump !== null) parts.push(`Version bump: ${describeBump(apply.bump)}.`);
      const verifyData = r.stages.find((s) => s.name === 'verify')?.data ?? {};
      const advance = isRecord(verifyData.advance) ? verifyData.advance : null;
      if (verifyData.partial === true && advance) {
        const fb = isRecord(advance.firstBreaking) ? advance.firstBreaking : null;
        parts.push(
          `Partial day (onConflict: advance): ${describeValue(advance.remaining)} upstream commit(s) left${fb ? `; first breaking ${tick(short(String(fb.sha ?? '')))} "${String(fb.subject ?? '')}"` : ''}.`,
        );
      }
      parts.push(...restackedLine(r));
      break;
    }
    case 'no-change':
      parts.push(
        `Nothing to do for the trunk: ${trunk} (${tick(short(after.trunk ?? before.trunk))}) already contains ${tick(r.refs.upstream)} (${tick(short(after.upstream ?? before.upstream))}); trunk and mirror did not move.`,
        ...restackedLine(r),
      );
      break;
    case 'verify-conflict':
    case 'apply-conflict': {
      const c = r.conflict;
      const which = c?.patch ? `Patch ${c.position ?? '?'}${c.queueLength ? ` of ${c.queueLength}` : ''} (${tick(short(c.patch.sha))} ${c.patch.subject})` : 'The patch queue';
      const onto = `${tick(r.refs.upstream)} (${tick(short(after.upstream ?? before.upstream))}${delta ? `, ${plural(delta.count, 'new commit')}` : ''})`;
      parts.push(`${which} does not replay onto ${onto}${c && c.files.length > 0 ? `: conflicts in ${c.files.map(tick).join(', ')}` : ''}.`);
      parts.push(
        r.outcome === 'verify-conflict'
          ? `No branch tip moved; trunk ${trunk} stays at ${tick(short(before.trunk))}.`
          : `The rebase was aborted; nothing was pushed and trunk ${trunk} stays at ${tick(short(before.trunk))}.`,
      );
      break;
    }
    case 'push-blocked': {
      const l = r.lease;
      parts.push(
        l
          ? `The push of ${tick(l.ref)} to ${l.remote} was refused: expected ${tick(short(l.expected))}, found ${tick(short(l.actual))} (${l.reason}). Nothing was overwritten.`
          : `A push to ${r.refs.remotes.fork} was refused. Nothing was overwritten.`,
      );
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
      const moved = after.trunk && after.trunk !== before.trunk;
      const what = r.outcome === 'validation-failed' ? 'Validation failed' : 'Graphite alignment failed';
      parts.push(
        moved
          ? `${what} after trunk ${trunk} moved ${tick(short(before.trunk))} → ${tick(short(after.trunk))}${delta ? ` (${plural(delta.count, 'upstream commit')} absorbed)` : ''}.`
          : `${what}; trunk ${trunk} is at ${tick(short(before.trunk))}.`,
      );
      break;
    }
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

function conflictSection(r: Report): string[] {
  const c = r.conflict;
  if (!c) return [];
  const out = ['## Conflict', '', `- Stage: ${c.stage}`];
  if (c.patch) out.push(`- Patch: ${tick(c.patch.sha.slice(0, 12))} ${c.patch.subject}${c.position !== null ? ` (${c.position}${c.queueLength !== null ? ` of ${c.queueLength}` : ''} in the queue)` : ''}`);
  if (c.branch) out.push(`- Branch: ${tick(c.branch)}`);
  if (c.files.length > 0) out.push(`- Files: ${c.files.map(tick).join(', ')}`);
  const loc = c.localization;
  if (loc && Object.keys(loc).length > 0) out.push(`- Localization: ${typeof loc.summary === 'string' ? loc.summary : describeValue(loc)}`);
  if (c.reproduce.length > 0) out.push('- Reproduce:', '', '  ```sh', ...c.reproduce.map((l) => `  ${l}`), '  ```');
  return out;
}

function leaseSection(r: Report): string[] {
  const l = r.lease;
  if (!l) return [];
  return ['## Push blocked', '', `- Ref: ${tick(l.ref)} on ${l.remote}`, `- Expected: ${tick(l.expected ?? 'none')}`, `- Actual: ${tick(l.actual ?? 'none')}`, `- Reason: ${l.reason}`];
}

function lockSection(r: Report): string[] {
  if (!r.lock.override && r.outcome !== 'lock-taken') return [];
  const h = r.lock.holder;
  const out = ['## Lock', '', `- Path: ${tick(r.lock.path)}`, `- Override: ${r.lock.override ? 'yes (FORCE_STALE_LOCK=1 broke a stale lock)' : 'no'}`];
  if (h) out.push(`- Holder: ${Object.entries(h).filter(([k]) => k !== 'shas').map(([k, v]) => `${k} ${describeValue(v)}`).join(', ')}`);
  if (r.lock.ageHours !== null) out.push(`- Age: ${r.lock.ageHours.toFixed(1)} h`);
  return out;
}

function validationSection(r: Report): string[] {
  const s = r.stages.find((x) => x.name === 'validate');
  if (!s || (s.status !== 'ok' && s.status !== 'failed') || Object.keys(s.data).length === 0) return [];
  const out = ['## Validation', ''];
  if (Array.isArray(s.data.steps)) {
    for (const step of s.data.steps) {
      if (isRecord(step)) {
        const name = describeValue(step.name ?? step.step ?? step.command);
        const status = describeValue(step.status ?? (step.ok === undefined ? step.exitCode : step.ok ? 'ok' : 'failed'));
        out.push(`- ${name}: ${status}${typeof step.durationMs === 'number' ? ` (${formatDuration(step.durationMs)})` : ''}`);
      } else {
        out.push(`- ${describeValue(step)}`);
      }
    }
  }
  if (s.data.tests !== undefined && !Array.isArray(s.data.tests)) out.push(`- Tests: ${describeTestCounts(s.data.tests) ?? describeValue(s.data.tests)}`);
  const failures = readFailures(s.data);
  if (failures.length > 0) out.push(`- Failing: ${failures.slice(0, 10).map(tick).join(', ')}${failures.length > 10 ? ` and ${failures.length - 10} more` : ''}`);
  const log = readLogPath(s.data);
  if (log) out.push(`- Log: ${tick(log)}`);
  return out.length > 2 ? out : [];
}

function graphiteSection(r: Report): string[] {
  const s = r.stages.find((x) => x.name === 'align');
  if (!s || (s.status !== 'ok' && s.status !== 'failed')) return [];
  const out = ['## Graphite', ''];
  if (s.data.descendants !== undefined) out.push(`- Descendants: ${describeValue(s.data.descendants)}`);
  // @rebase-daily/graphite: `after` is the descendant tree (branch → parent, tip) after align.
  if (Array.isArray(s.data.after)) {
    const tree = s.data.after.filter(isRecord).map((b) => `${tick(String(b.branch))} on ${tick(String(b.parent))} at ${tick(short(String(b.tip ?? '')))}`);
    out.push(`- Descendants: ${tree.length ? tree.join('; ') : 'none (restack skipped)'}`);
  }
  if (Array.isArray(s.data.restacked)) out.push(`- Restacked: ${s.data.restacked.length ? s.data.restacked.map((b) => tick(String(b))).join(', ') : 'none (all already on their parents)'}`);
  else if (s.data.restacked !== undefined) out.push(`- Restacked: ${describeValue(s.data.restacked)}`);
  if (Array.isArray(s.data.publish) && s.data.publish.length) out.push(`- Publish (by a human): ${s.data.publish.map((c) => tick(String(c))).join(', ')}`);
  return out.length > 2 ? out : [];
}

function problemsSection(r: Report): string[] {
  const out: string[] = [];
  if (r.errors.length > 0) out.push('## Errors', '', ...r.errors.map((e) => `- ${tick(e.code)} ${e.message}`), '');
  if (r.warnings.length > 0) out.push('## Warnings', '', ...r.warnings.map((w) => `- ${w}`), '');
  if (r.leftovers.length > 0) out.push('## Leftovers found', '', ...r.leftovers.map((l) => `- ${tick(l)}`), '');
  if (out.at(-1) === '') out.pop();
  return out;
}
