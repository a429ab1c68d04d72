import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { localDate, type ResolvedConfig, resolvePaths, type ResolveReport, ResolveReportSchema, runPaths, shortSha } from '@rebase-daily/core';
import { writeAtomic } from '@rebase-daily/report';


/**
 * Write the resolve report: `resolve-report.json` and `resolve-summary.md` in the day's report folder
 * (`<scratch>/rebase-daily/<YYYY-MM-DD>/`, beside the daily run's report.json), and a copy in the
 * resolution's own history folder. The run report writer does not fit: a resolution is not a run
 * of the pipeline's stages.
 */
export function writeResolveReport(config: ResolvedConfig, report: ResolveReport): { reportPath: string; summaryPath: string } {
  const parsed = ResolveReportSchema.parse(report);
  const dateDir = join(runPaths(config.scratchPath).base, localDate(parsed.startedAt));
  mkdirSync(dateDir, { recursive: true });
  const reportPath = join(dateDir, 'resolve-report.json');
  const summaryPath = join(dateDir, 'resolve-summary.md');
  writeAtomic(reportPath, `${JSON.stringify(parsed, null, 2)}\n`);
  writeAtomic(summaryPath, renderResolveSummary(parsed));
  const own = resolvePaths(config.scratchPath, parsed.id).archive;
  mkdirSync(own, { recursive: true });
  copyFileSync(reportPath, join(own, 'resolve-report.json'));
  copyFileSync(summaryPath, join(own, 'resolve-summary.md'));
  return { reportPath, summaryPath };
}

/** The human summary of a resolve report. */
export function renderResolveSummary(r: ResolveReport): string {
  const lines = [
    `# rebase-daily resolve ${r.id}: ${r.outcome} (exit ${r.exitCode})`,
    '',
    `- authorised by: ${r.authorisedBy ?? '(not given)'}; run by ${r.user}`,
    `- ${r.trunk}: ${shortSha(r.pin?.trunk)} → ${shortSha(r.newTrunk)} on upstream ${shortSha(r.pin?.upstream)} (pin: ${r.pin?.source ?? 'none'})`,
    `- fork remote trunk pinned at ${shortSha(r.pin?.forkTrunk)}`,
    `- validation: ${r.validation ? `${r.validation.status}${r.validation.skippedReason ? ` (skipped: ${r.validation.skippedReason})` : ''} — ${r.validation.summary}` : 'not run'}`,
    `- publish: ${r.publish ? `${r.publish.atomic ? 'one atomic push' : 'ref by ref'}: ${r.publish.refs.map((p) => `${p.branch} ${p.ok ? 'ok' : 'refused'}`).join(', ') || 'nothing to push'}` : 'nothing published'}`,
    r.lease ? `- lease: ${r.lease.ref} on ${r.lease.remote} expected ${shortSha(r.lease.expected)}, actual ${shortSha(r.lease.actual)} — ${r.lease.reason}` : '',
    `- rerere: ${r.rerere.note}`,
    '',
    '## Conflicts resolved',
    '',
    ...(r.stops.length
      ? r.stops.map((s) => `- patch ${s.position}/${r.queueLength} ${shortSha(s.patch.sha)} "${s.patch.subject}": ${s.files.join(', ')}${s.fromMemory.length ? ` — re-applied from memory: ${s.fromMemory.join(', ')}` : ''}${s.resolvedFiles ? `; staged ${s.resolvedFiles.join(', ')}` : ''}`)
      : ['- none']),
    '',
    ...(r.gates.length ? ['## Escalation gates', '', ...r.gates.map((g) => `- ${g.name}: ${g.accepted ? `accepted by ${g.accepted.by} — ${g.accepted.reason}` : 'held (nothing published)'}; ${g.detail}`), ''] : []),
    ...(r.rewrites.length ? ['## Semantic fixes (resolve fixup / edit)', '', ...r.rewrites.map((w) => `- ${w.kind} of patch ${w.position} "${w.subject}": ${w.files.join(', ') || '(no file staged)'}`), ''] : []),
    '## Patches (old queue → new, git range-diff)',
    '',
    ...r.patches.map((p) => `- ${p.oldPosition ?? '-'} → ${p.newPosition ?? '-'} ${p.status}: ${p.subject}${p.status === 'changed' ? `\n\n\`\`\`diff\n${p.diff}\n\`\`\`\n` : ''}`),
    '',
    ...(r.actions.length ? ['## Actions', '', ...r.actions.map((a) => `- ${a}`), ''] : []),
    ...(r.warnings.length ? ['## Warnings', '', ...r.warnings.map((w) => `- ${w}`), ''] : []),
    ...(r.errors.length ? ['## Errors', '', ...r.errors.map((e) => `- ${e.code}: ${e.message}`), ''] : []),
  ];
  return `${lines.filter((l, i, a) => !(l === '' && a[i - 1] === '')).join('\n')}\n`;
}
