import { formatDuration, notValidatedNote, type Report } from '@rebase-daily/report';

/** The most next commands the terminal summary shows; the Markdown summary keeps the full checklist. */
export const MAX_NEXT_COMMANDS = 5;

const GOOD = new Set(['success', 'no-change', 'resolved']);
const WARN = new Set(['partial', 'lock-taken', 'interrupted', 'usage-error']);
const STATUS_MARK = { ok: '✓', failed: '✗', skipped: '·', 'not-configured': '–' } as const;
const PROGRAMS = /^(?:git|gt|cargo|just|cd|npx|node|rebase-daily|\S*rebase-daily)\s/;

/** SGR codes (node's util.styleText decides colour by the process's own streams and NO_COLOR; here the caller decides). */
const SGR = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39] } as const;
type Style = keyof typeof SGR;

const short = (sha: string | null | undefined) => (sha ? sha.slice(0, 7) : 'none');
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/**
 * The concrete commands of the report's next actions (its `code` spans that start with a program),
 * in order, each once, at most `max`. "Reproduce:" steps come last: they are the alternative route.
 */
export function nextCommands(actions: readonly string[], max = MAX_NEXT_COMMANDS): string[] {
  const spans = (lines: readonly string[]) => lines.flatMap((a) => [...a.matchAll(/`([^`]+)`/g)].map((m) => m[1].trim())).filter((c) => PROGRAMS.test(`${c} `));
  const main = spans(actions.filter((a) => !a.startsWith('Reproduce:')));
  const reproduce = spans(actions.filter((a) => a.startsWith('Reproduce:')));
  return [...new Set([...main, ...reproduce])].slice(0, max);
}

/**
 * What a person at a terminal reads after a run: the outcome, what moved, the stages, the first
 * problem and at most five commands to run next, in aligned `key  value` rows; coloured only when
 * `color`. The Markdown summary (tables, every detail) stays in the file it names.
 */
export function terminalSummary(report: Report, paths: { summaryPath: string; reportPath: string }, color: boolean): string {
  const paint = (styles: Style | Style[], text: string) =>
    color ? [styles].flat().reduceRight((t, st) => `\u001b[${SGR[st][0]}m${t}\u001b[${SGR[st][1]}m`, text) : text;
  const tone = GOOD.has(report.outcome) ? 'green' : WARN.has(report.outcome) ? 'yellow' : 'red';
  const rows: [string, string][] = [];
  const { before, after } = report.shas;
  if (before.trunk || after.trunk) {
    const moved = after.trunk && after.trunk !== before.trunk;
    const pushed = report.pushed.find((p) => p.ref.endsWith(`/${report.refs.trunk}`));
    rows.push(['trunk', `${report.refs.trunk}  ${moved ? `${short(before.trunk)} → ${short(after.trunk)}` : `${short(after.trunk ?? before.trunk)} (did not move)`}${pushed ? `, pushed to ${pushed.remote}` : moved ? ', not pushed' : ''}`]);
  }
  const up = report.upstream;
  if (up.pending || up.absorbed) {
    const parts = [up.absorbed ? `${plural(up.absorbed.count, 'commit')} absorbed` : `${plural(up.pending!.count, 'commit')} pending`];
    const queue = report.patches.queue.length;
    const trunkMoved = Boolean(after.trunk && after.trunk !== before.trunk);
    if (queue) parts.push(`${queue} ${queue === 1 ? 'patch' : 'patches'} ${trunkMoved ? 'replayed' : 'in the queue'}`);
    if (report.patches.droppedUpstream.length) parts.push(`${report.patches.droppedUpstream.length} dropped (already upstream)`);
    rows.push(['upstream', `${report.refs.upstream}  ${parts.join(', ')}`]);
  }
  if (report.conflict) {
    const c = report.conflict;
    rows.push(['conflict', `${c.stage}: ${c.patch ? `${short(c.patch.sha)} "${c.patch.subject}"` : c.branch ?? ''}${c.position ? ` (patch ${c.position} of ${c.queueLength})` : ''}${c.files.length ? ` in ${c.files.slice(0, 3).join(', ')}${c.files.length > 3 ? ` +${c.files.length - 3}` : ''}` : ''}`]);
  }
  if (report.graphite?.restacked.length) rows.push(['graphite', `restacked ${report.graphite.restacked.join(', ')} (not pushed)`]);
  rows.push(['stages', report.stages.map((s) => `${s.name} ${STATUS_MARK[s.status]}${s.durationMs !== null && (s.status === 'ok' || s.status === 'failed') ? ` ${formatDuration(s.durationMs)}` : ''}`).join('  ')]);
  const problem = report.errors[0];
  if (problem) rows.push(['problem', `${problem.code}: ${problem.message}${report.errors.length > 1 ? ` (+${report.errors.length - 1} more in the summary)` : ''}`]);
  rows.push(['summary', paths.summaryPath]);

  const width = Math.max(...rows.map(([k]) => k.length));
  const headline = `${report.outcome}${notValidatedNote(report)} (exit ${report.exitCode})`;
  const out = [`${paint(['bold', tone], headline)}  ${paint('dim', `${report.command} · run ${report.runId}`)}`, ...rows.map(([k, v]) => `  ${paint('dim', k.padEnd(width))}  ${v}`)];
  const next = nextCommands(report.nextActions);
  if (next.length) out.push('', paint('bold', 'Next:'), ...next.map((c, i) => `  ${i + 1}. ${c}`));
  if (report.nextActions.length > next.length) out.push(paint('dim', `  (the full checklist: ${report.nextActions.length} steps in the summary)`));
  return `${out.join('\n')}\n`;
}
