import { describe, expect, it } from 'vitest';
import { buildReport } from './build-report.js';
import { formatDuration, renderSummary } from './render-summary.js';
import { makeRunState, scenarios } from './testing/run-state-factory.js';

const render = (name: keyof typeof scenarios) => renderSummary(buildReport(scenarios[name]()));
const firstLine = (md: string) => md.split('\n')[0];
const paragraph = (md: string) => md.split('\n')[2];
const sections = (md: string) => md.split('\n').filter((l) => l.startsWith('## '));

describe('renderSummary', () => {
  it('success: the whole summary', () => {
    expect(render('success')).toMatchInlineSnapshot(`
      "# rebase-daily 2026-11-27: ✅ success (exit 0)

      Trunk \`dev\` moved \`c3c3c3c\` → \`d4d4d4d\`: 12 upstream commits absorbed (\`a1a1a1a1a1a1..b2b2b2b2b2b2\`), 3 patches replayed, 1 dropped as already upstream. Mirror \`main\` fast-forwarded to \`b2b2b2b\`. Pushed to origin: dev, main. Version bump: 1.4.0-fork.1 → 1.5.0-fork.1.

      | Stage | Status | Time | Summary |
      | --- | --- | --- | --- |
      | verify | ✅ ok | 1.2 s | 3 patches replay cleanly onto b2b2b2b |
      | apply | ✅ ok | 2.3 s | dev rebased and pushed |
      | align | ➖ not-configured | — | no graphite section in the config |
      | validate | ➖ not-configured | — | no validate section in the config |
      | report | ✅ ok | — | report.json and summary.md written |

      ## Files

      - Report: \`/work/fork/.scratch/rebase-daily/2026-11-27/report.json\`
      - This run: \`/work/fork/.scratch/rebase-daily/runs/20261127T120000Z-4242-ab12/\`
      - Command log: \`/work/fork/.scratch/rebase-daily/runs/20261127T120000Z-4242-ab12/commands.jsonl\`
      - Run \`20261127T120000Z-4242-ab12\` (daily) on ci-runner, 2026-11-27T12:00:00.000Z → 2026-11-27T12:00:42.500Z (42.5 s)
      "
    `);
  });

  it.each([
    [
      'noChange',
      '# rebase-daily 2026-11-27: ✅ no-change (exit 0)',
      'Nothing to do for the trunk: `dev` (`c3c3c3c`) already contains `upstream/main` (`a1a1a1a`); trunk and mirror did not move.',
      ['## Files'],
    ],
    [
      'verifyConflict',
      '# rebase-daily 2026-11-27: ❌ verify-conflict (exit 10)',
      'Patch 2 of 3 (`f6f6f6f` fork: rename binary) does not replay onto `upstream/main` (`b2b2b2b`, 12 new commits): conflicts in `src/main.rs`, `Cargo.toml`. No branch tip moved; trunk `dev` stays at `c3c3c3c`.',
      ['## Conflict', '## Next actions', '## Files'],
    ],
    [
      'pushBlocked',
      '# rebase-daily 2026-11-27: ⛔ push-blocked (exit 12)',
      'The push of `refs/heads/dev` to origin was refused: expected `c3c3c3c`, found `2929292` (the fork remote has commits the local trunk lacks). Nothing was overwritten.',
      ['## Push blocked', '## Next actions', '## Files'],
    ],
    [
      'lockTaken',
      '# rebase-daily 2026-11-27: 🔒 lock-taken (exit 15)',
      'Another run holds the lock (run `20261127T120000Z-4242-ab12`, pid 4242 on ci-runner, since 2026-11-27T12:00:00.000Z). This run touched nothing.',
      ['## Lock', '## Errors', '## Next actions', '## Files'],
    ],
    [
      'validationFailed',
      '# rebase-daily 2026-11-27: ❌ validation-failed (exit 14)',
      'Validation failed after trunk `dev` moved `c3c3c3c` → `d4d4d4d` (12 upstream commits absorbed).',
      ['## Validation', '## Next actions', '## Files'],
    ],
  ] as const)('%s: outcome line, what changed, sections', (name, title, what, expectedSections) => {
    const md = render(name);
    expect(firstLine(md)).toBe(title);
    expect(paragraph(md)).toBe(what);
    expect(sections(md)).toEqual(expectedSections);
  });

  it('verify-conflict: reproduce commands in a shell block', () => {
    expect(render('verifyConflict')).toContain(['- Reproduce:', '', '  ```sh', '  git worktree add /tmp/rd-repro c3c3c3c3c3c3', '  cd /tmp/rd-repro && git rebase b2b2b2b2b2b2', '  ```'].join('\n'));
  });

  it('push-blocked: ref, expected and actual in full', () => {
    const md = render('pushBlocked');
    expect(md).toContain('- Expected: `c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3`');
    expect(md).toContain('- Actual: `2929292929292929292929292929292929292929`');
    expect(md).toContain('git log --oneline c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3..2929292929292929292929292929292929292929');
  });

  it('lock-taken: points at the run folder only (the date folder keeps the holder’s report)', () => {
    const md = render('lockTaken');
    expect(md).not.toContain('- Report:');
    expect(md).toContain('- This run: `/work/fork/.scratch/rebase-daily/runs/20261127T120500Z-5151-cd34/`');
    expect(md).toContain('FORCE_STALE_LOCK=1');
  });

  it('validation: steps, test counts, failing tests, log', () => {
    const md = render('validationFailed');
    expect(md).toContain(['- fmt: ok (800 ms)', '- test: failed (1 min 0 s)', '- Tests: 40 passed, 2 failed', '- Failing: `tests::parse_header`, `tests::roundtrip`'].join('\n'));
    expect(md).toContain('- Log: `/work/fork/.scratch/rebase-daily/runs/x/cargo-test.log`');
  });

  it('a stale-lock override is said in the first paragraph and detailed', () => {
    const state = makeRunState({
      ...scenarios.noChange(),
      lock: { path: '/l', acquired: true, override: true, holder: { runId: 'old-run', pid: 7, hostname: 'h', startedAt: '2026-11-26T01:00:00.000Z' }, ageHours: 11 },
    });
    const md = renderSummary(buildReport(state));
    expect(paragraph(md)).toContain('A stale lock was broken (FORCE_STALE_LOCK=1).');
    expect(md).toContain('- Override: yes (FORCE_STALE_LOCK=1 broke a stale lock)');
    expect(md).toContain('- Holder: runId old-run, pid 7, hostname h, startedAt 2026-11-26T01:00:00.000Z');
  });

  it('the takeover of a dead run\'s lock is detailed in the lock section', () => {
    const state = makeRunState({
      ...scenarios.noChange(),
      lock: { path: '/l', acquired: true, override: false, holder: null, ageHours: null, takenOver: { previous: { runId: 'killed-run', command: 'daily', startedAt: '2026-11-26T01:00:00.000Z' }, reason: 'pid 7 is not running' } },
    });
    const md = renderSummary(buildReport(state));
    expect(md).toContain('- Override: no\n- Taken over from run `killed-run` (daily, since 2026-11-26T01:00:00.000Z): its holder is dead — pid 7 is not running');
  });

  it('graphite: descendants and restacked', () => {
    const state = makeRunState({ stageOverrides: { align: { status: 'ok', summary: '2 branches restacked', data: { descendants: ['feat/a', 'feat/b'], restacked: ['feat/a', 'feat/b'] } } } });
    expect(renderSummary(buildReport(state))).toContain('## Graphite\n\n- Descendants: feat/a, feat/b\n- Restacked: `feat/a`, `feat/b`\n');
  });

  it('error: the first error is the paragraph; warnings and leftovers are listed', () => {
    const state = makeRunState({
      outcome: 'error',
      exitCode: 1,
      errors: [{ code: 'E_DIRTY_TREE', message: 'working tree has uncommitted changes in a.txt; commit or stash them, then rerun' }],
      warnings: ['cleanup: removed worktree /s/w'],
      leftovers: ['branch rebase-daily/tmp/verify-1'],
    });
    const md = renderSummary(buildReport(state));
    expect(firstLine(md)).toBe('# rebase-daily 2026-11-27: ❌ error (exit 1)');
    expect(paragraph(md)).toBe('E_DIRTY_TREE: working tree has uncommitted changes in a.txt; commit or stash them, then rerun');
    expect(sections(md)).toEqual(['## Errors', '## Warnings', '## Leftovers found', '## Next actions', '## Files']);
  });

  it('success without a verify stage (e.g. `report` alone) claims no patch counts', () => {
    const state = makeRunState({ command: 'report', stageOverrides: { verify: { status: 'skipped', summary: 'not part of `report`' } } });
    expect(paragraph(renderSummary(buildReport(state)))).toBe('Trunk `dev` stays at `c3c3c3c`.');
  });

  it('escapes pipes in stage summaries so the table holds', () => {
    const state = makeRunState({ stageOverrides: { verify: { status: 'ok', summary: 'a | b\nc', data: {} } } });
    expect(renderSummary(buildReport(state))).toContain('| verify | ✅ ok | — | a \\| b c |');
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

describe('renderSummary: align, localization, partial days', () => {
  it('names restacked descendants even on a no-change day', () => {
    const state = scenarios.noChange();
    const align = state.stages.find((s) => s.name === 'align')!;
    Object.assign(align, { status: 'ok', summary: 'restacked 2', data: { restacked: ['feature/a', 'feature/b'] } });
    expect(paragraph(renderSummary(buildReport(state)))).toMatch(/Graphite: restacked `feature\/a`, `feature\/b` \(not pushed\)\./);
  });

  it('shows the localization summary line, not a JSON blob', () => {
    const state = scenarios.verifyConflict();
    state.conflict = { ...state.conflict!, localization: { summary: 'queue replays onto a1a1a1a; breaks at b2b2b2b "upstream: rename"', replays: 4 } };
    expect(renderSummary(buildReport(state))).toContain('- Localization: queue replays onto a1a1a1a; breaks at b2b2b2b "upstream: rename"');
  });

  it('says what is left on a partial day (onConflict: advance)', () => {
    const state = scenarios.success();
    const verify = state.stages.find((s) => s.name === 'verify')!;
    verify.data = { ...verify.data, partial: true, advance: { remaining: 4, firstBreaking: { sha: 'e'.repeat(40), subject: 'upstream: rename' } } };
    expect(paragraph(renderSummary(buildReport(state)))).toContain('Partial day (onConflict: advance): 4 upstream commit(s) left; first breaking `eeeeeee` "upstream: rename".');
  });
});
