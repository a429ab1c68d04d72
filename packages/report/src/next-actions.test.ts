import { describe, expect, it } from 'vitest';
import { buildReport } from './build-report.js';
import { deriveNextActions, type NextActionsInput } from './next-actions.js';
import { SHA, makeRunState, scenarios } from './testing/run-state-factory.js';

const input = (patch: Partial<NextActionsInput>): NextActionsInput => ({
  outcome: 'success',
  trunk: 'dev',
  upstreamRef: 'upstream/main',
  forkRemote: 'origin',
  startBranch: 'dev',
  conflict: null,
  lease: null,
  lock: { path: '/s/locks/rebase-daily.lock', holder: null, ageHours: null },
  errors: [],
  leftovers: [],
  trunkAfter: null,
  commandLog: null,
  failingTests: [],
  validationLog: null,
  ...patch,
});

describe('next actions derived from the outcome', () => {
  it('lock-taken by a manual hold names the session and how it ends', () => {
    const holder = { runId: 'manual-x', pid: 1, ownerPid: 1, hostname: 'box', startedAt: '2026-11-27T09:00:00.000Z', command: 'lock', manual: { reason: 'resolving patch 3', user: 'ada' } };
    expect(deriveNextActions(input({ outcome: 'lock-taken', lock: { path: '/s/l', holder, ageHours: 0.5 } }))).toEqual([
      'Nothing was touched: the lock /s/l is held by a manual session of ada on box ("resolving patch 3") since 2026-11-27T09:00:00.000Z (0.5 h old).',
      'That session ends its hold with `rebase-daily unlock` when its work on the trunk is done; rerun rebase-daily then.',
    ]);
  });

  it.each([
    [
      'verifyConflict',
      [
        'No branch tip moved: verify replays the queue without touching real branches.',
        'Reproduce: `git worktree add /tmp/rd-repro c3c3c3c3c3c3`',
        'Reproduce: `cd /tmp/rd-repro && git rebase b2b2b2b2b2b2`',
        'Resolve the conflict of f6f6f6f6f6f6 "fork: rename binary" (patch 2 of 3) in src/main.rs, Cargo.toml on dev: rebase dev onto upstream/main by hand (or adapt the patch), push dev to origin, then rerun rebase-daily.',
      ],
    ],
    [
      'pushBlocked',
      [
        'Nothing was overwritten: the push of refs/heads/dev to origin was refused (the fork remote has commits the local trunk lacks).',
        'Fetch: `git fetch origin`',
        `Inspect the commits the remote has that this run did not expect: \`git log --oneline ${SHA.trunkOld}..${SHA.foreign}\``,
        'Bring those commits into dev (or confirm they may be dropped), push dev, then rerun rebase-daily.',
      ],
    ],
    [
      'lockTaken',
      [
        'Nothing was touched: the lock /work/fork/.scratch/locks/rebase-daily.lock is held by run 20261127T120000Z-4242-ab12 (pid 4242 on ci-runner, daily) since 2026-11-27T12:00:00.000Z (0.1 h old).',
        "If that run is still going, wait for it to finish; the date folder's report is still the last finished run's.",
        'If it crashed and the lock is older than lock.staleAfterHours, rerun with FORCE_STALE_LOCK=1 (the override is recorded in the report); FORCE_STALE_LOCK never breaks a fresh lock.',
      ],
    ],
    [
      'validationFailed',
      [
        'Failing: tests::parse_header',
        'Failing: tests::roundtrip',
        'Read the log: /work/fork/.scratch/rebase-daily/runs/x/cargo-test.log',
        'dev was already pushed at d4d4d4d4d4d4 before validation; nothing further was pushed.',
        'Fix the failures on dev, push, then rerun rebase-daily.',
      ],
    ],
    ['success', []],
    ['noChange', []],
  ] as const)('%s', (name, expected) => {
    expect(buildReport(scenarios[name]()).nextActions).toEqual(expected);
  });

  it('apply-conflict says the rebase was aborted and the branch restored', () => {
    const actions = deriveNextActions(input({ outcome: 'apply-conflict', startBranch: 'feature/x', conflict: { stage: 'apply', patch: null, position: null, queueLength: null, files: ['a.rs'], reproduce: ['git rebase b2b2'] } }));
    expect(actions).toEqual([
      'The rebase was aborted and branch feature/x restored; nothing was pushed.',
      'Reproduce: `git rebase b2b2`',
      'Resolve the conflict of the failing patch in a.rs on dev: rebase dev onto upstream/main by hand (or adapt the patch), push dev to origin, then rerun rebase-daily.',
    ]);
  });

  it('partial says what moved and what remains, then how to resolve the rest', () => {
    const actions = deriveNextActions(input({ outcome: 'partial', conflict: { stage: 'verify', patch: { sha: 'f'.repeat(40), subject: 'fork: tweak' }, position: 2, queueLength: 5, files: ['a.rs'], reproduce: ['git rebase b2b2'] } }));
    expect(actions).toEqual([
      'Partial day: dev moved to the last upstream commit the queue replays onto; the rest of upstream stops at the conflict of ffffffffffff "fork: tweak" (patch 2 of 5) in a.rs.',
      'Reproduce: `git rebase b2b2`',
      'Resolve that conflict on dev (adapt the patch to upstream), push dev to origin, then rerun rebase-daily to absorb the remaining upstream commits.',
    ]);
  });

  it('push-blocked without an actual SHA points at protection or a missing ref', () => {
    const actions = deriveNextActions(input({ outcome: 'push-blocked', lease: { ref: 'refs/heads/dev', remote: 'origin', expected: SHA.trunkOld, actual: null, reason: 'rejected by a pre-receive hook' } }));
    expect(actions[2]).toBe('The remote ref is missing or the push was rejected by protection: check refs/heads/dev on origin and its branch protection.');
  });

  it('push-blocked with no push attempted says nothing was pushed and compares the trunk with the fork (no empty a..a range)', () => {
    const reason = "origin's dev is at 292929292929, which has 1 commit(s) the local dev (c3c3c3c3c3c3) lacks";
    const lease = { ref: 'refs/heads/dev', remote: 'origin', expected: SHA.foreign, actual: SHA.foreign, reason, attempted: false, local: SHA.trunkOld };
    expect(deriveNextActions(input({ outcome: 'push-blocked', lease }))).toEqual([
      `Nothing was pushed: no push was attempted (${reason}).`,
      'Fetch: `git fetch origin`',
      'Inspect what origin has that the local dev lacks: `git log --oneline dev..origin/dev`',
      'Bring those commits into dev (rebase or merge it onto origin/dev), or confirm they may be dropped; then rerun rebase-daily.',
    ]);
  });

  it('error lists each error (they carry their fix) and the command log', () => {
    const actions = deriveNextActions(
      input({ outcome: 'error', errors: [{ code: 'E_DIRTY_TREE', message: 'working tree has uncommitted changes in a.txt; commit or stash them, then rerun' }], commandLog: '/s/commands.jsonl' }),
    );
    expect(actions).toEqual([
      'E_DIRTY_TREE: working tree has uncommitted changes in a.txt; commit or stash them, then rerun',
      'Command log: /s/commands.jsonl',
      'Fix the cause above, then rerun rebase-daily.',
    ]);
  });

  it('graphite-failed names the branch and says the trunk is already pushed', () => {
    const actions = deriveNextActions(input({ outcome: 'graphite-failed', conflict: { stage: 'align', patch: null, position: null, queueLength: null, files: ['b.rs'], branch: 'feat/a', reproduce: [] } }));
    expect(actions).toEqual(['Restack conflict on branch feat/a in b.rs.', 'dev was already pushed; restack the Graphite descendants by hand (`gt restack`), then rerun rebase-daily.']);
  });

  it('mentions leftovers of a crashed run whatever the outcome', () => {
    const report = buildReport(makeRunState({ leftovers: ['worktree /s/worktrees/verify-123'] }));
    expect(report.nextActions).toEqual(['Leftovers of a crashed run were found (temporary ones cleaned): worktree /s/worktrees/verify-123; check nothing else was left behind.']);
  });
});
