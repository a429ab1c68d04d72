import { type RunState } from '@rebase-daily/core';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReport } from './build-report.js';
import { RECORDED_RUNS, recordedRun, withState, type RecordedRun } from './testing/recorded-runs.js';

// Facts the report copies or derives from a recorded run state (testing/recorded-runs.ts), checked
// field by field against that state, and the pipeline's edge cases as variants of a recorded run.
const stage = (state: RunState, name: string) => state.stages.find((s) => s.name === name)!;
const withData = (name: RecordedRun, stageName: string, patch: (data: Record<string, unknown>) => Record<string, unknown>): RunState => {
  const state = recordedRun(name);
  const s = stage(state, stageName);
  s.data = patch({ ...s.data });
  return state;
};
const short = (sha: string) => sha.slice(0, 12);

describe('buildReport copies the run state', () => {
  it.each(RECORDED_RUNS)('%s: identity, times, refs, lock, paths, errors, side effects', (name) => {
    const state = recordedRun(name);
    const r = buildReport(state, { docs: null });
    expect(r).toMatchObject({ runId: state.runId, command: state.command, host: state.host, pid: state.pid, repo: state.repo, configPath: state.configPath });
    expect(r.startedAt).toBe(state.startedAt);
    expect(r.finishedAt).toBe(state.finishedAt);
    expect(r.durationMs).toBe(Date.parse(state.finishedAt!) - Date.parse(state.startedAt));
    expect(r.refs).toEqual({ trunk: state.trunk, mirror: state.mirror, upstream: state.upstreamRef, remotes: state.remotes });
    expect(r.lock).toEqual({ override: state.lock.override, acquired: state.lock.acquired, path: state.lock.path, holder: state.lock.holder, ageHours: state.lock.ageHours });
    expect(r.conflict).toEqual(state.conflict);
    expect(r.lease).toEqual(state.lease);
    expect(r.errors).toEqual(state.errors);
    expect(r.leftovers).toEqual(state.leftovers);
    expect(r.sideEffects).toEqual(state.sideEffects);
    expect(r.warnings).toEqual(state.warnings);
    expect(r.docs).toBeNull();
    expect(r.paths).toEqual({
      scratch: state.scratchDir,
      runDir: join(state.scratchDir, 'rebase-daily', 'runs', state.runId),
      dateDir: expect.stringMatching(new RegExp(`^${state.scratchDir}/rebase-daily/\\d{4}-\\d{2}-\\d{2}$`)),
    });
    expect(r.commands).toEqual({ count: 0, log: state.commandLog, failed: 0 });
    const verify = stage(state, 'verify').data as { queue?: { sha: string; subject: string }[]; dropped?: unknown[] };
    expect(r.patches.queue.map((p) => [p.sha, p.subject])).toEqual((verify.queue ?? []).map((p) => [p.sha, p.subject]));
    expect(r.patches.droppedUpstream).toEqual(verify.dropped ?? []);
    // The stages' own next actions follow the derived checklist, each once.
    expect(r.nextActions.slice(r.nextActions.length - state.nextActions.length)).toEqual(state.nextActions);
  });

  it('a patch apply did not replay has no new SHA (the verify conflict)', () => {
    const r = buildReport(recordedRun('verify-conflict'), { docs: null });
    expect(r.patches.queue.length).toBeGreaterThan(0);
    expect(r.patches.queue.every((p) => p.newSha === null)).toBe(true);
  });

  it('the dropped patches are verify’s, each with its upstream commit', () => {
    const state = recordedRun('dropped-upstream');
    const r = buildReport(state, { docs: null });
    expect(r.patches.droppedUpstream.length).toBeGreaterThan(0);
    expect(r.patches.droppedUpstream).toEqual((stage(state, 'verify').data as { dropped: unknown[] }).dropped);
  });

  it('leftovers are the state’s', () => {
    const leftovers = ['/fixture/fork/.scratch/worktrees/verify-1 (worktree)'];
    expect(buildReport(withState('success', { leftovers }), { docs: null }).leftovers).toEqual(leftovers);
  });

  it('a relative scratch dir is resolved against the repo', () => {
    const state = withState('success', { scratchDir: '.scratch' });
    expect(buildReport(state, { docs: null }).paths.scratch).toBe(resolve(state.repo, '.scratch'));
  });

  it('a lock taken over names what it took over; otherwise the key is absent', () => {
    const base = recordedRun('success');
    const takenOver = { previous: { pid: 4242, host: 'vm' }, reason: 'stale: 30.0 h old' };
    expect(buildReport(withState('success', { lock: { ...base.lock, takenOver } }), { docs: null }).lock.takenOver).toEqual(takenOver);
    expect('takenOver' in buildReport(base, { docs: null }).lock).toBe(false);
  });

  it.each([
    ['finished before it started (a clock step back)', { finishedAt: '2000-01-01T00:00:00.000Z' }, 0],
    ['finishedAt not a timestamp', { finishedAt: 'not a date' }, null],
  ] as const)('durationMs when %s', (_why, patch, expected) => {
    expect(buildReport(withState('success', patch), { docs: null }).durationMs).toBe(expected);
  });

  it('a startedAt that is not a timestamp is refused, not reported with a made-up duration', () => {
    expect(() => buildReport(withState('success', { startedAt: 'not a date' }), { docs: null })).toThrow(RangeError);
  });

  it('an unfinished state without `now` is finished at the clock', () => {
    const before = Date.now();
    const r = buildReport(withState('no-change', { finishedAt: null }), { docs: null });
    expect(Date.parse(r.finishedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(r.finishedAt)).toBeLessThanOrEqual(Date.now());
  });

  it('the warnings are the state’s when its stage data matches the contracts', () => {
    expect(buildReport(withState('success', { warnings: ['recorded warning'] }), { docs: null }).warnings).toEqual(['recorded warning']);
  });
});

describe('buildReport: upstream counts', () => {
  it('moved is the pipeline’s fetch; none recorded gives null', () => {
    expect(buildReport(withState('success', { upstreamMoved: null }), { docs: null }).upstream.moved).toBeNull();
  });

  it.each<[string, () => RunState]>([
    ['apply did not rebase', () => withData('success', 'apply', (d) => ({ ...d, trunk: { ...(d.trunk as object), rebased: false } }))],
    ['apply left the trunk where it was', () => {
      const s = withData('success', 'apply', (d) => ({ ...d, trunk: { ...(d.trunk as { before: string }), after: (d.trunk as { before: string }).before } }));
      return withState('success', { stages: s.stages, shas: { ...s.shas, after: { ...s.shas.after, trunk: s.shas.before.trunk } } });
    }],
    ['the trunk is no longer where apply put it', () => { const s = recordedRun('success'); return withState('success', { shas: { ...s.shas, after: { ...s.shas.after, trunk: s.shas.before.trunk } } }); }],
    ['verify recorded no delta', () => withData('success', 'verify', () => ({}))],
  ])('nothing absorbed when %s', (_why, state) => {
    expect(buildReport(state(), { docs: null }).upstream.absorbed).toBeNull();
  });
});

describe('buildReport: pushed refs', () => {
  it('apply’s own publish (publish.when after-apply) counts, with its command, before the publish stage’s', () => {
    const state = recordedRun('success');
    const publish = stage(state, 'publish').data as { commands: string[]; refs: { branch: string; moved: boolean; expected: string | null; newSha: string }[] };
    const applied = { ...publish, commands: ['git push --atomic origin a', 'git push origin b'] };
    stage(state, 'apply').data = { ...stage(state, 'apply').data, publish: applied };
    const moved = publish.refs.filter((r) => r.moved);
    const r = buildReport(state, { docs: null });
    expect(r.pushed).toEqual([
      ...moved.map((p) => ({ ref: `refs/heads/${p.branch}`, remote: state.remotes.fork, expected: p.expected, newSha: p.newSha, command: 'git push --atomic origin a && git push origin b' })),
      ...moved.map((p) => ({ ref: `refs/heads/${p.branch}`, remote: state.remotes.fork, expected: p.expected, newSha: p.newSha, command: publish.commands.join(' && ') })),
    ]);
  });
});

describe('buildReport: graphite', () => {
  it('each descendant with its parent after the restack, tips before and after, and whether it was restacked', () => {
    const state = withData('graphite-restack', 'align', (d) => ({
      ...d,
      // feat-b restacked onto a new parent; feat-a not restacked this time.
      after: (d.after as { branch: string }[]).map((b) => (b.branch === 'feat-b' ? { ...b, parent: 'fork/trunk' } : b)),
      restacked: ['feat-b'],
    }));
    const align = stage(state, 'align').data as { before: { branch: string; parent: string; tip: string }[]; after: { branch: string; tip: string }[]; publish: string[] };
    const g = buildReport(state, { docs: null }).graphite!;
    expect(g.descendants).toEqual([
      { branch: 'feat-a', parent: 'fork/trunk', before: align.before[0].tip, after: align.after[0].tip, restacked: false },
      { branch: 'feat-b', parent: 'fork/trunk', before: align.before[1].tip, after: align.after[1].tip, restacked: true },
    ]);
    expect(g.restacked).toEqual(['feat-b']);
    expect(g.publish).toEqual(align.publish);
  });

  it('a branch missing after the restack keeps its parent and has no tip after', () => {
    const state = withData('graphite-restack', 'align', (d) => ({ ...d, after: (d.after as { branch: string }[]).filter((b) => b.branch === 'feat-a') }));
    const feat = buildReport(state, { docs: null }).graphite!.descendants.find((d) => d.branch === 'feat-b')!;
    expect(feat).toMatchObject({ parent: 'feat-a', after: null });
  });

  it('align that failed before recording tips after: every descendant’s tip after is null, parent as before', () => {
    const state = recordedRun('graphite-failed');
    const align = stage(state, 'align').data as { before: { branch: string; parent: string; tip: string }[] };
    expect(buildReport(state, { docs: null }).graphite!.descendants).toEqual(align.before.map((b) => ({ branch: b.branch, parent: b.parent, before: b.tip, after: null, restacked: false })));
  });
});

describe('buildReport: stages of a state the pipeline did not finish (read back after a crash)', () => {
  const crashed = (patch: Partial<RunState>) => {
    const base = recordedRun('success');
    return withState('success', { ...patch, stages: base.stages.filter((s) => s.name === 'verify').map((s) => ({ ...s, status: 'ok' as const })) });
  };
  it.each<[string, Partial<RunState>, string]>([
    ['stopped by a stage', { stoppedBy: 'apply', outcome: 'apply-conflict' }, 'skipped: run stopped by apply'],
    ['lock taken', { stoppedBy: null, outcome: 'lock-taken' }, 'skipped: lock taken by another run'],
    ['an error', { stoppedBy: null, outcome: 'error' }, 'skipped: run stopped by an error'],
    ['a usage error', { stoppedBy: null, outcome: 'usage-error' }, 'skipped: run stopped by an error'],
    ['a signal', { stoppedBy: null, outcome: 'interrupted' }, 'skipped: run interrupted by a signal'],
    ['a single-stage command that ended well', { stoppedBy: null, outcome: 'success' }, 'not run by this command'],
  ])('a stage never recorded is skipped (%s) with that reason; the report stage has run', (_why, patch, why) => {
    const r = buildReport(crashed(patch), { docs: null });
    expect(r.stages.map((s) => [s.name, s.status, s.summary])).toEqual([
      ['verify', 'ok', expect.any(String)],
      ['apply', 'skipped', why],
      ['align', 'skipped', why],
      ['validate', 'skipped', why],
      ['publish', 'skipped', why],
      ['report', 'ok', 'report.json and summary.md written'],
    ]);
    expect(r.stages.filter((s) => s.status === 'skipped').every((s) => s.startedAt === null && s.finishedAt === null && s.durationMs === null)).toBe(true);
  });

  it('a pending stage keeps the summary it has; a running one with none "did not finish"; a recorded report stage keeps its summary', () => {
    const base = recordedRun('verify-conflict');
    const state = withState('verify-conflict', {
      stages: base.stages.map((s) =>
        s.name === 'apply' ? { ...s, status: 'pending' as const, summary: 'waiting for the lock' } : s.name === 'align' ? { ...s, status: 'running' as const, summary: '' } : s.name === 'report' ? { ...s, status: 'running' as const, summary: 'writing' } : s,
      ),
    });
    const r = buildReport(state, { docs: null });
    expect(r.stages.find((s) => s.name === 'apply')).toMatchObject({ status: 'skipped', summary: 'waiting for the lock' });
    expect(r.stages.find((s) => s.name === 'align')).toMatchObject({ status: 'skipped', summary: 'did not finish' });
    expect(r.stages.find((s) => s.name === 'report')).toMatchObject({ status: 'ok', summary: 'writing' });
  });

  it('a finished stage keeps its status, summary, times and data', () => {
    const state = recordedRun('success');
    const r = buildReport(state, { docs: null });
    for (const s of state.stages.filter((x) => x.name !== 'report')) {
      expect(r.stages.find((x) => x.name === s.name)).toEqual({ name: s.name, status: s.status, summary: s.summary, startedAt: s.startedAt, finishedAt: s.finishedAt, durationMs: s.durationMs, data: expect.objectContaining({}) });
    }
  });
});

describe('buildReport: what the next actions are told', () => {
  const rebaseLine = (r: { nextActions: string[] }) => r.nextActions.find((a) => a.startsWith('Rebase '))!;
  const pushLine = (r: { nextActions: string[] }) => r.nextActions.find((a) => a.startsWith('Push with the lease'))!;

  it('the pinned upstream and fork trunk first', () => {
    const state = recordedRun('verify-conflict');
    const r = buildReport(state, { docs: null });
    expect(rebaseLine(r)).toContain(`rebase ${state.pin!.upstream}\``);
    expect(pushLine(r)).toContain(`(${short(state.pin!.forkTrunk!)})`);
  });

  it('without a pin: verify’s upstream, then what the run observed, then the state before', () => {
    const base = recordedRun('verify-conflict');
    const other = 'a'.repeat(40);
    const viaVerify = withData('verify-conflict', 'verify', (d) => ({ ...d, upstream: other }));
    viaVerify.pin = null;
    expect(rebaseLine(buildReport(viaVerify, { docs: null }))).toContain(`rebase ${other}\``);
    const viaObserved = withState('verify-conflict', { pin: null, stages: base.stages.map((s) => (s.name === 'verify' ? { ...s, data: {} } : s)), shas: { ...base.shas, observed: { ...base.shas.observed!, upstream: 'b'.repeat(40), forkTrunk: 'c'.repeat(40) } } });
    const r = buildReport(viaObserved, { docs: null });
    expect(rebaseLine(r)).toContain(`rebase ${'b'.repeat(40)}\``);
    expect(pushLine(r)).toContain(`(${short('c'.repeat(40))})`);
    const viaBefore = withState('verify-conflict', { pin: null, stages: viaObserved.stages, shas: { before: { ...base.shas.before, forkTrunk: 'd'.repeat(40) }, after: base.shas.after } });
    const rb = buildReport(viaBefore, { docs: null });
    expect(rebaseLine(rb)).toContain(`rebase ${base.upstreamRef}\``);
    expect(pushLine(rb)).toContain(`(${short('d'.repeat(40))})`);
  });

  it('a trunk apply already published (after-apply) is named as pushed when validation then fails', () => {
    const state = recordedRun('validation-failed');
    const trunk = `refs/heads/${state.trunk}`;
    const newSha = 'e'.repeat(40);
    stage(state, 'apply').data = {
      ...stage(state, 'apply').data,
      publish: {
        ...(stage(recordedRun('success'), 'publish').data as object),
        refs: [
          { branch: state.mirror, role: 'mirror', expected: null, newSha: 'f'.repeat(40), actual: 'f'.repeat(40), outcome: 'pushed', moved: true },
          { branch: state.trunk, role: 'trunk', expected: null, newSha, actual: newSha, outcome: 'pushed', moved: true },
        ],
      },
    };
    const r = buildReport(state, { docs: null });
    expect(r.pushed.map((p) => p.ref)).toEqual([`refs/heads/${state.mirror}`, trunk]);
    expect(r.nextActions).toContain(`${state.trunk} was already pushed at ${short(newSha)} before validation (publish.when: after-apply); nothing further was pushed.`);
  });

  it('a stage’s own line the checklist already has is listed once', () => {
    const state = recordedRun('lock-taken');
    const derived = buildReport(state, { docs: null }).nextActions;
    const r = buildReport(withState('lock-taken', { nextActions: [derived[0], 'detach the busy worktree'] }), { docs: null });
    expect(r.nextActions).toEqual([...derived, 'detach the busy worktree']);
  });
});
