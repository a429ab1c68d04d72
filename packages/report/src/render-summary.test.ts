import { readStageData } from '@rebase-daily/core';
import { describe, expect, it } from 'vitest';
import { buildReport } from './build-report.js';
import { formatDuration, notValidatedNote, renderSummary } from './render-summary.js';
import { RECORDED_RUNS, recordedRun, withState, type RecordedRun } from './testing/recorded-runs.js';

// Every summary here is rendered from a run state recorded from a real run (see testing/recorded-runs.ts).
const reportOf = (name: RecordedRun) => buildReport(recordedRun(name), { docs: null });
const render = (name: RecordedRun) => renderSummary(reportOf(name));
const firstLine = (md: string) => md.split('\n')[0];
const paragraph = (md: string) => md.split('\n')[2];
const sections = (md: string) => md.split('\n').filter((l) => l.startsWith('## '));
const short = (sha: string | null | undefined) => (sha ?? '').slice(0, 7);

describe('recorded runs parse with the stage contracts and render', () => {
  it.each(RECORDED_RUNS)('%s', (name) => {
    const state = recordedRun(name);
    for (const s of state.stages) expect(readStageData(state, s.name).problems, s.name).toEqual([]);
    const report = reportOf(name);
    expect(report.warnings.filter((w) => w.includes('contract'))).toEqual([]);
    // These recorded days ran without a validate section: a published one says so on its first line.
    const unvalidated = ['success', 'partial'].includes(report.outcome) && report.stages.some((s) => s.name === 'validate' && s.status === 'not-configured');
    const note = unvalidated ? ' — rebased, not validated: no validate section' : '';
    expect(firstLine(renderSummary(report))).toMatch(new RegExp(`: .+ ${report.outcome}${note} \\(exit ${report.exitCode}\\)$`));
  });

  it.each([
    ['success', 'not-configured', ' — rebased, not validated: no validate section'],
    ['partial', 'not-configured', ' — rebased, not validated: no validate section'],
    ['success', 'ok', ''],
    ['no-change', 'not-configured', ''],
    ['verify-conflict', 'not-configured', ''],
  ] as const)('first-line note: %s with validate %s → %j', (outcome, status, note) => {
    const report = reportOf('success');
    const stages = report.stages.map((s) => (s.name === 'validate' ? { ...s, status } : s));
    expect(notValidatedNote({ ...report, outcome, stages })).toBe(note);
  });
});

describe('renderSummary of recorded runs', () => {
  it.each([
    ['success', ['## Patches', '## Side effects', '## Files']],
    ['no-change', ['## Patches', '## Side effects', '## Files']],
    ['verify-conflict', ['## Patches', '## Conflict', '## Side effects', '## Next actions', '## Files']],
    ['dropped-upstream', ['## Patches', '## Side effects', '## Files']],
    ['push-blocked', ['## Patches', '## Push blocked', '## Side effects', '## Errors', '## Warnings', '## Next actions', '## Files']],
    ['validation-failed', ['## Patches', '## Validation', '## Side effects', '## Warnings', '## Next actions', '## Files']],
    ['graphite-restack', ['## Patches', '## Graphite', '## Side effects', '## Warnings', '## Files']],
    ['lock-taken', ['## Lock', '## Side effects', '## Errors', '## Next actions', '## Files']],
    ['partial', ['## Patches', '## Conflict', '## Side effects', '## Warnings', '## Next actions', '## Files']],
    ['apply-conflict', ['## Conflict', '## Side effects', '## Warnings', '## Next actions', '## Files']],
    ['graphite-failed', ['## Patches', '## Conflict', '## Graphite', '## Side effects', '## Errors', '## Warnings', '## Next actions', '## Files']],
  ] as const)('%s: sections %j', (name, expected) => {
    expect(sections(render(name))).toEqual(expected);
  });

  it('success: trunk before → after, what the trunk now contains, upstream moved, pushes with SHAs', () => {
    const r = reportOf('success');
    const md = renderSummary(r);
    const p = paragraph(md);
    expect(p).toContain(`Trunk \`${r.refs.trunk}\` moved \`${short(r.shas.before.trunk)}\` → \`${short(r.shas.after.trunk)}\``);
    expect(p).toContain(`trunk now contains ${r.upstream.absorbed!.count} new upstream commits`);
    expect(p).toContain(`moved by ${r.upstream.moved!.count} commits since the last fetch`);
    expect(p).toContain(`2 patches replayed`);
    for (const push of r.pushed) expect(p).toContain(`\`${push.ref.replace('refs/heads/', '')}\` → \`${short(push.newSha)}\``);
    // The queue: old → new per patch.
    for (const q of r.patches.queue) expect(md).toContain(`- \`${short(q.sha)}\` → \`${short(q.newSha)}\` ${q.subject}`);
  });

  it('verify-conflict: no "absorbed N" on a failed day; the upstream commit with author and message; bounded hunks', () => {
    const r = reportOf('verify-conflict');
    const md = renderSummary(r);
    expect(md).not.toMatch(/absorbed \d/);
    expect(paragraph(md)).toContain('it absorbed no upstream commit');
    const up = r.conflict!.context!.upstreamCommits[0];
    expect(md).toContain(`- Upstream \`${short(up.sha)}\` "${up.subject}" by ${up.author}, ${up.date}: ${up.body}`);
    expect(md).toContain('- The patch in `src/lib.txt`:');
    expect(md).toContain('  +fork line 2');
    expect(md).toContain("- Upstream's change to `src/lib.txt`:");
    expect(md).toContain('  +upstream line 2');
    expect(md).toContain('```sh');
  });

  it('dropped-upstream: the dropped patch with the upstream commit that has it', () => {
    const r = reportOf('dropped-upstream');
    const [d] = r.patches.droppedUpstream;
    expect(d.upstream).not.toBeNull();
    expect(render('dropped-upstream')).toContain(`- \`${short(d.sha)}\` dropped: ${d.subject} — upstream has it as \`${short(d.upstream!.sha)}\` "${d.upstream!.subject}"`);
    expect(paragraph(render('dropped-upstream'))).toContain('1 dropped as already upstream');
  });

  it('push-blocked: expected and actual in full; the atomic publish moved nothing', () => {
    const r = reportOf('push-blocked');
    const md = renderSummary(r);
    expect(md).toContain(`- Expected: \`${r.lease!.expected}\``);
    expect(md).toContain(`- Actual: \`${r.lease!.actual}\``);
    expect(r.pushed).toEqual([]);
    expect(paragraph(md)).not.toContain('Pushed before the refusal');
    expect(paragraph(md)).toContain('it absorbed no upstream commit');
  });

  it('validation-failed: steps, counts per crate, the failing test, its log', () => {
    const md = render('validation-failed');
    expect(md).toMatch(/- Tests: 0 passed, 1 failed, 0 ignored in \d+ test binaries \(demo 0✓ 1✗\)/);
    expect(md).toContain('- Failing: `demo: tests::adds`');
    expect(md).toMatch(/- Log: `\S+\.log`/);
  });

  it('graphite-restack: each descendant with its tip before → after', () => {
    const r = reportOf('graphite-restack');
    const md = renderSummary(r);
    for (const d of r.graphite!.descendants) expect(md).toContain(`  - \`${d.branch}\` on \`${d.parent}\`: \`${short(d.before)}\` → \`${short(d.after)}\` (restacked)`);
    expect(paragraph(md)).toContain('Graphite: restacked `feat-a`, `feat-b` (not pushed).');
  });

  it('push-blocked with no push attempted: says what was found and that nothing was pushed', () => {
    const recorded = recordedRun('push-blocked');
    const foreign = recorded.lease!.actual!;
    const local = recorded.shas.before.trunk!;
    const reason = `origin's ${recorded.trunk} is at ${foreign.slice(0, 12)}, which has 1 commit(s) the local ${recorded.trunk} (${local.slice(0, 12)}) lacks`;
    const state = withState('push-blocked', { lease: { ...recorded.lease!, expected: foreign, actual: foreign, reason, attempted: false, local } });
    const md = renderSummary(buildReport(state, { docs: null }));
    expect(md).toContain(`No push was attempted: ${reason}. Nothing was pushed.`);
    expect(md).toContain('- Push attempted: no (nothing was pushed)');
    expect(md).toContain(`- Local trunk: \`${local}\``);
    expect(md).not.toMatch(/expected `(\w+)`, found `\1`/);
  });

  it('lock-taken: points at the run folder only (the date folder keeps the holder’s report)', () => {
    const r = reportOf('lock-taken');
    const md = renderSummary(r);
    expect(md).not.toContain('- Report:');
    expect(md).toContain(`- This run: \`${r.paths.runDir}/\``);
  });

  it('a stale-lock override is said in the first paragraph and detailed', () => {
    const state = withState('no-change', {
      lock: { path: '/l', acquired: true, override: true, holder: { runId: 'old-run', pid: 7, hostname: 'h', startedAt: '2026-11-26T01:00:00.000Z' }, ageHours: 11 },
    });
    const md = renderSummary(buildReport(state, { docs: null }));
    expect(paragraph(md)).toContain('A stale lock was broken (FORCE_STALE_LOCK=1).');
    expect(md).toContain('- Holder: runId old-run, pid 7, hostname h, startedAt 2026-11-26T01:00:00.000Z');
  });

  it('the takeover of a dead run\'s lock is detailed in the lock section', () => {
    const recorded = recordedRun('no-change');
    const state = withState('no-change', {
      lock: { ...recorded.lock, takenOver: { previous: { runId: 'killed-run', command: 'daily', startedAt: '2026-11-26T01:00:00.000Z' }, reason: 'pid 7 is not running' } },
    });
    const md = renderSummary(buildReport(state, { docs: null }));
    expect(md).toContain('- Taken over from run `killed-run` (daily, since 2026-11-26T01:00:00.000Z): its holder is dead — pid 7 is not running');
  });

  it('error (recorded: a dirty tree refused at preflight): the first error is the paragraph', () => {
    const r = reportOf('error');
    const md = renderSummary(r);
    expect(firstLine(md)).toMatch(/❌ error \(exit 1\)$/);
    expect(r.errors[0].code).toBe('E_DIRTY_TREE');
    expect(paragraph(md)).toBe(`E_DIRTY_TREE: ${r.errors[0].message}`);
    expect(paragraph(md)).toContain('FORK.md');
  });

  it('partial (recorded): what moved, what was pushed, and what is left', () => {
    const r = reportOf('partial');
    const p = paragraph(renderSummary(r));
    expect(p).toContain(`Trunk \`${r.refs.trunk}\` moved \`${short(r.shas.before.trunk)}\` → \`${short(r.shas.after.trunk)}\``);
    expect(p).toContain(`trunk now contains ${r.upstream.absorbed!.count} new upstream commit`);
    expect(p).toMatch(/Partial day \(onConflict: advance\): moved to upstream `[0-9a-f]{7}` "upstream: clean docs" \(1 of 2 new upstream commit\(s\)\); 1 upstream commit\(s\) left, first breaking `[0-9a-f]{7}` "upstream: change line 2"/);
    for (const push of r.pushed) expect(p).toContain(`\`${push.ref.replace('refs/heads/', '')}\` → \`${short(push.newSha)}\``);
    expect(r.pushed).toHaveLength(2);
  });

  it('apply-conflict (recorded): the same bounded context as a verify conflict; nothing pushed', () => {
    const r = reportOf('apply-conflict');
    const md = renderSummary(r);
    expect(paragraph(md)).toContain('The rebase was aborted; nothing was pushed');
    expect(paragraph(md)).toContain('it absorbed no upstream commit');
    const up = r.conflict!.context!.upstreamCommits[0];
    expect(md).toContain(`- Upstream \`${short(up.sha)}\` "${up.subject}" by ${up.author}, ${up.date}: ${up.body}`);
    expect(md).toContain('  +fork line 2');
    expect(md).toContain('  +upstream line 2');
    expect(r.pushed).toEqual([]);
  });

  it('graphite-failed (recorded): the restack conflict by branch; never claims the trunk was pushed when nothing was', () => {
    const r = reportOf('graphite-failed');
    const md = renderSummary(r);
    expect(paragraph(md)).toContain('Graphite alignment failed');
    expect(md).toContain('- Branch: `feat-a`');
    expect(r.pushed).toEqual([]);
    expect(r.nextActions.join('\n')).not.toMatch(/already pushed/);
    expect(r.nextActions.join('\n')).toContain('Nothing was pushed');
  });

  it('validation-failed (recorded, publish after validate): never claims the trunk was pushed', () => {
    const r = reportOf('validation-failed');
    expect(r.pushed).toEqual([]);
    expect(r.nextActions.join('\n')).not.toMatch(/already pushed/);
    expect(r.nextActions).toContain(`Nothing was pushed: ${r.refs.trunk} never reached ${r.refs.remotes.fork}, and the local refs were moved back to where the run found them.`);
  });

  it('interrupted (recorded, SIGTERM during publish): the paragraph says interrupted, the error names the signal', () => {
    const r = reportOf('interrupted');
    const md = renderSummary(r);
    expect(firstLine(md)).toMatch(/interrupted \(exit 143\)$/);
    expect(paragraph(md)).toContain('Interrupted by a signal (exit 143)');
    expect(md).toContain('`E_INTERRUPTED` run interrupted by SIGTERM');
    expect(r.pushed).toEqual([]);
  });

  it('escapes pipes in stage summaries so the table holds', () => {
    const state = recordedRun('no-change');
    state.stages[0].summary = 'a | b\nc';
    expect(renderSummary(buildReport(state, { docs: null }))).toContain('| verify | ✅ ok |');
    expect(renderSummary(buildReport(state, { docs: null }))).toContain('a \\| b c |');
  });

  it.each([
    [null, '—'],
    [850, '850 ms'],
    [12_345, '12.3 s'],
    [125_000, '2 min 5 s'],
  ])('formatDuration(%s) = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
