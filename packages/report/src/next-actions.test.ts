import { describe, expect, it } from 'vitest';
import { buildReport } from './build-report.js';
import { deriveNextActions, type NextActionsInput } from './next-actions.js';
import { recordedRun, withState } from './testing/recorded-runs.js';

const UP = 'b2'.repeat(20);
const FORK = 'c3'.repeat(20);
const FOREIGN = '29'.repeat(20);
const docs = { dir: '/d', runbook: '/d/runbook.md', gotchas: '/d/gotchas.md', updating: '/d/UPDATING.md' };

const input = (patch: Partial<NextActionsInput>): NextActionsInput => ({
  outcome: 'success',
  repo: '/w/fork',
  configPath: '/w/rebase-daily.json',
  trunk: 'dev',
  upstreamRef: 'upstream/main',
  upstreamSha: UP,
  forkRemote: 'origin',
  forkTrunkSha: FORK,
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
  docs,
  ...patch,
});

const RD = 'rebase-daily --config /w/rebase-daily.json';
const conflict = { stage: 'verify', patch: { sha: 'f6'.repeat(20), subject: 'fork: rename binary' }, position: 2, queueLength: 3, files: ['src/main.rs'], reproduce: ['git worktree add /tmp/r c3c3'] };

describe('next actions: exact commands', () => {
  it('verify-conflict: reproduce, lock, rebase onto the pinned SHA, lease push, unlock and rerun, runbook section', () => {
    expect(deriveNextActions(input({ outcome: 'verify-conflict', conflict }))).toEqual([
      'No branch tip moved: verify replays the queue without touching real branches.',
      'Reproduce: `git worktree add /tmp/r c3c3`',
      `Hold the lock while you work, so the scheduled run cannot start under you: \`${RD} lock --reason 'resolving verify conflict of f6f6f6f6f6f6 "fork: rename binary"'\``,
      `Rebase dev onto the upstream SHA this run used, in the fork checkout: \`git -C /w/fork switch dev && git -C /w/fork rebase ${UP}\``,
      'Resolve f6f6f6f6f6f6 "fork: rename binary" (patch 2 of 3) in src/main.rs (adapt the patch to upstream), `git -C /w/fork add <files>`, `git -C /w/fork rebase --continue`.',
      `Push with the lease on the fork trunk this run observed (c3c3c3c3c3c3): \`git -C /w/fork push --force-with-lease=refs/heads/dev:${FORK} origin "$(git -C /w/fork rev-parse refs/heads/dev)":refs/heads/dev\``,
      `Release the lock and rerun: \`${RD} unlock && ${RD} daily\``,
      'Runbook: /d/runbook.md (section "Exit 10: verify conflict").',
    ]);
  });

  it('push-blocked: the lease of the manual push is what the remote has now', () => {
    const actions = deriveNextActions(input({ outcome: 'push-blocked', lease: { ref: 'refs/heads/dev', remote: 'origin', expected: FORK, actual: FOREIGN, reason: 'the fork trunk moved since verify' } }));
    expect(actions).toContain(`Inspect the commits the remote has that this run did not expect: \`git -C /w/fork log --oneline ${FORK}..${FOREIGN}\``);
    expect(actions.join('\n')).toContain(`--force-with-lease=refs/heads/dev:${FOREIGN} origin`);
    expect(actions.at(-1)).toBe('Runbook: /d/runbook.md (section "Exit 12: push blocked").');
  });

  it('partial says what moved and what remains, then how to resolve the rest under the lock', () => {
    const actions = deriveNextActions(input({ outcome: 'partial', conflict: { stage: 'verify', patch: { sha: 'f'.repeat(40), subject: 'fork: tweak' }, position: 2, queueLength: 5, files: ['a.rs'], reproduce: ['git rebase b2b2'] } }));
    expect(actions.slice(0, 3)).toEqual([
      'Partial day: dev moved to the last upstream commit the queue replays onto; the rest of upstream stops at the conflict of ffffffffffff "fork: tweak" (patch 2 of 5) in a.rs.',
      'Reproduce: `git rebase b2b2`',
      'The remaining upstream commits need that conflict resolved; the next run absorbs them once it is.',
    ]);
    expect(actions[3]).toContain(`${RD} lock --reason`);
    expect(actions.join('\n')).toContain('--force-with-lease=refs/heads/dev:');
    expect(actions.at(-1)).toBe('Runbook: /d/runbook.md (section "Exit 16: partial day").');
  });

  it('push-blocked without an actual SHA points at protection or a missing ref', () => {
    const actions = deriveNextActions(input({ outcome: 'push-blocked', lease: { ref: 'refs/heads/dev', remote: 'origin', expected: FORK, actual: null, reason: 'rejected by a pre-receive hook' } }));
    expect(actions[3]).toBe('The remote ref is missing or the push was rejected by protection: check refs/heads/dev on origin and its branch protection.');
  });

  it('push-blocked with no push attempted says nothing was pushed and compares the trunk with the fork (no empty a..a range)', () => {
    const reason = "origin's dev is at 292929292929, which has 1 commit(s) the local dev (c3c3c3c3c3c3) lacks";
    const lease = { ref: 'refs/heads/dev', remote: 'origin', expected: FOREIGN, actual: FOREIGN, reason, attempted: false, local: FORK };
    expect(deriveNextActions(input({ outcome: 'push-blocked', lease }))).toEqual([
      `Nothing was pushed: no push was attempted (${reason}).`,
      `Hold the lock while you work: \`${RD} lock --reason 'integrating origin refs/heads/dev'\``,
      'Fetch: `git -C /w/fork fetch origin`',
      'Inspect what origin has that the local dev lacks: `git -C /w/fork log --oneline dev..origin/dev`',
      'Bring those commits into dev (rebase or merge it onto origin/dev), or confirm they may be dropped.',
      `Release the lock and rerun: \`${RD} unlock && ${RD} daily\``,
      'Runbook: /d/runbook.md (section "Exit 12: push blocked").',
    ]);
  });

  it('interrupted: rerun, with the runbook section', () => {
    expect(deriveNextActions(input({ outcome: 'interrupted' }))).toEqual([
      `The run was interrupted by a signal and cleaned up; nothing is half-done. Rerun when ready: \`${RD} daily\``,
      'Runbook: /d/runbook.md (section "Exit 130: interrupted (SIGINT)").',
    ]);
  });

  it('lock-taken by a manual hold: how it ends, as commands', () => {
    const holder = { runId: 'manual-x', pid: 1, ownerPid: 1, hostname: 'box', startedAt: '2026-11-27T09:00:00.000Z', command: 'lock', manual: { reason: 'resolving patch 3', user: 'ada' } };
    expect(deriveNextActions(input({ outcome: 'lock-taken', lock: { path: '/s/l', holder, ageHours: 0.5 } }))).toEqual([
      'Nothing was touched: the lock /s/l is held by a manual session of ada on box ("resolving patch 3") since 2026-11-27T09:00:00.000Z (0.5 h old).',
      `See who holds it: \`${RD} status\``,
      `That session ends its hold with \`${RD} unlock\` when its work on the trunk is done; rerun then: \`${RD} daily\``,
      'Runbook: /d/runbook.md (section "Exit 15: lock taken").',
    ]);
  });

  it('error lists each error and the command log; no runbook line without docs', () => {
    const actions = deriveNextActions(input({ outcome: 'error', docs: null, errors: [{ code: 'E_DIRTY_TREE', message: 'working tree has uncommitted changes in a.txt; commit or stash them, then rerun' }], commandLog: '/s/commands.jsonl' }));
    expect(actions).toEqual(['E_DIRTY_TREE: working tree has uncommitted changes in a.txt; commit or stash them, then rerun', 'Command log: /s/commands.jsonl', `Fix the cause above, then rerun: \`${RD} daily\``]);
  });

  it('success and no-change need nothing', () => {
    expect(deriveNextActions(input({ outcome: 'success' }))).toEqual([]);
    expect(buildReport(recordedRun('no-change'), { docs }).nextActions).toEqual([]);
  });

  it('recorded verify conflict: the lease carries the fork trunk SHA the run observed, the rebase the pinned upstream', () => {
    const state = recordedRun('verify-conflict');
    const actions = buildReport(state, { docs }).nextActions.join('\n');
    expect(actions).toContain(`--force-with-lease=refs/heads/${state.trunk}:${state.pin!.forkTrunk} origin`);
    expect(actions).toContain(`rebase ${state.pin!.upstream}`);
  });

  it('stage lines follow the derived checklist, once', () => {
    const state = withState('no-change', { leftovers: ['worktree /s/worktrees/verify-123'], nextActions: ['git -C /w/other switch --detach'] });
    expect(buildReport(state, { docs }).nextActions).toEqual([
      'Leftovers of a crashed run were found (temporary ones cleaned): worktree /s/worktrees/verify-123; check nothing else was left behind.',
      'git -C /w/other switch --detach',
    ]);
  });
});
