import { RunStateSchema, type RunState, type StageRecord } from '@rebase-daily/core';

/** Distinct, recognisable full SHAs for report tests (short forms: a1a1a1a, b2b2b2b, …). */
export const SHA = {
  upstreamOld: 'a1'.repeat(20),
  upstreamNew: 'b2'.repeat(20),
  trunkOld: 'c3'.repeat(20),
  trunkNew: 'd4'.repeat(20),
  patch1: 'e5'.repeat(20),
  patch2: 'f6'.repeat(20),
  patch3: '07'.repeat(20),
  dropped: '18'.repeat(20),
  foreign: '29'.repeat(20),
} as const;

export const QUEUE = [
  { sha: SHA.patch1, subject: 'fork: add telemetry opt-out' },
  { sha: SHA.patch2, subject: 'fork: rename binary' },
  { sha: SHA.patch3, subject: 'fork: bump version suffix' },
];

type StageOverrides = Partial<Record<StageRecord['name'], Partial<StageRecord>>>;

function stages(overrides: StageOverrides): StageRecord[] {
  return (['verify', 'apply', 'align', 'validate', 'publish', 'report'] as const).map((name) => ({
    name,
    status: 'pending',
    summary: '',
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    data: {},
    ...overrides[name],
  }));
}

const done = (summary: string, durationMs: number, data: Record<string, unknown> = {}): Partial<StageRecord> => ({
  status: 'ok',
  summary,
  startedAt: '2026-11-27T12:00:01.000Z',
  finishedAt: new Date(Date.parse('2026-11-27T12:00:01.000Z') + durationMs).toISOString(),
  durationMs,
  data,
});

/** A complete, schema-valid RunState (every field of RunStateSchema), with overrides. */
export function makeRunState(overrides: Partial<RunState> & { stageOverrides?: StageOverrides } = {}): RunState {
  const { stageOverrides, ...rest } = overrides;
  const state: RunState = {
    schemaVersion: 1,
    runId: '20261127T120000Z-4242-ab12',
    command: 'daily',
    startedAt: '2026-11-27T12:00:00.000Z',
    finishedAt: '2026-11-27T12:00:42.500Z',
    host: 'ci-runner',
    pid: 4242,
    configPath: '/work/fork/rebase-daily.json',
    repo: '/work/fork',
    scratchDir: '/work/fork/.scratch',
    trunk: 'dev',
    mirror: 'main',
    upstreamRef: 'upstream/main',
    remotes: { fork: 'origin', upstream: 'upstream' },
    startBranch: 'dev',
    startHead: SHA.trunkOld,
    lock: { path: '/work/fork/.scratch/locks/rebase-daily.lock', acquired: true, override: false, holder: null, ageHours: null },
    shas: {
      before: { upstream: SHA.upstreamOld, mirror: SHA.upstreamOld, trunk: SHA.trunkOld, forkTrunk: SHA.trunkOld },
      after: { upstream: SHA.upstreamOld, mirror: SHA.upstreamOld, trunk: SHA.trunkOld, forkTrunk: SHA.trunkOld },
    },
    pin: null,
    stages: stages(stageOverrides ?? {}),
    outcome: 'success',
    exitCode: 0,
    stoppedBy: null,
    conflict: null,
    lease: null,
    errors: [],
    warnings: [],
    leftovers: [],
    preflightOk: true,
    temporaries: [],
    nextActions: [],
    candidates: [],
    undoFiles: [],
    commandLog: '/work/fork/.scratch/rebase-daily/runs/20261127T120000Z-4242-ab12/commands.jsonl',
    reportDir: null,
    ...rest,
  };
  return RunStateSchema.parse(state);
}

const verifyData = {
  queue: QUEUE,
  droppedUpstream: [{ sha: SHA.dropped, subject: 'fork: backport upstream fix' }],
  upstreamDelta: { count: 12, range: `${SHA.upstreamOld.slice(0, 12)}..${SHA.upstreamNew.slice(0, 12)}` },
};

/** The scenarios of the plan, as states the pipeline would hand to the report. */
export const scenarios = {
  success: () =>
    makeRunState({
      shas: {
        before: { upstream: SHA.upstreamOld, mirror: SHA.upstreamOld, trunk: SHA.trunkOld, forkTrunk: SHA.trunkOld },
        after: { upstream: SHA.upstreamNew, mirror: SHA.upstreamNew, trunk: SHA.trunkNew, forkTrunk: SHA.trunkNew },
      },
      stageOverrides: {
        verify: done('3 patches replay cleanly onto b2b2b2b', 1200, verifyData),
        apply: done('dev rebased and pushed', 2300, { pushed: ['dev', 'main'], bump: { from: '1.4.0-fork.1', to: '1.5.0-fork.1' } }),
        align: { status: 'not-configured', summary: 'no graphite section in the config' },
        validate: { status: 'not-configured', summary: 'no validate section in the config' },
        publish: done('published main b2b2b2b → b2b2b2b, dev c3c3c3c → d4d4d4d to origin in one atomic push', 400, { mode: 'atomic', refs: [] }),
      },
    }),
  noChange: () =>
    makeRunState({
      outcome: 'no-change',
      stageOverrides: {
        verify: done('upstream has nothing new', 300, { queue: QUEUE, droppedUpstream: [], upstreamDelta: { count: 0, range: null } }),
        apply: done('nothing to apply', 20, { pushed: [] }),
        align: { status: 'not-configured', summary: 'no graphite section in the config' },
        validate: { status: 'not-configured', summary: 'no validate section in the config' },
        publish: done('nothing to publish: no ref moved', 5, { mode: 'none', refs: [] }),
      },
    }),
  verifyConflict: () =>
    makeRunState({
      outcome: 'verify-conflict',
      exitCode: 10,
      stoppedBy: 'verify',
      shas: {
        before: { upstream: SHA.upstreamNew, mirror: SHA.upstreamOld, trunk: SHA.trunkOld, forkTrunk: SHA.trunkOld },
        after: { upstream: SHA.upstreamNew, mirror: SHA.upstreamOld, trunk: SHA.trunkOld, forkTrunk: SHA.trunkOld },
      },
      conflict: {
        stage: 'verify',
        patch: QUEUE[1],
        position: 2,
        queueLength: 3,
        files: ['src/main.rs', 'Cargo.toml'],
        reproduce: ['git worktree add /tmp/rd-repro c3c3c3c3c3c3', 'cd /tmp/rd-repro && git rebase b2b2b2b2b2b2'],
      },
      stageOverrides: {
        verify: { ...done('patch 2 of 3 conflicts', 900, verifyData), status: 'failed' },
      },
    }),
  pushBlocked: () =>
    makeRunState({
      outcome: 'push-blocked',
      exitCode: 12,
      stoppedBy: 'apply',
      lease: { ref: 'refs/heads/dev', remote: 'origin', expected: SHA.trunkOld, actual: SHA.foreign, reason: 'the fork remote has commits the local trunk lacks' },
      stageOverrides: {
        verify: done('3 patches replay cleanly', 1000, verifyData),
        apply: { ...done('push of dev blocked by lease', 1500), status: 'failed' },
      },
    }),
  lockTaken: () =>
    makeRunState({
      outcome: 'lock-taken',
      exitCode: 15,
      runId: '20261127T120500Z-5151-cd34',
      startedAt: '2026-11-27T12:05:00.000Z',
      finishedAt: '2026-11-27T12:05:00.200Z',
      lock: {
        path: '/work/fork/.scratch/locks/rebase-daily.lock',
        acquired: false,
        override: false,
        holder: { runId: '20261127T120000Z-4242-ab12', pid: 4242, ownerPid: 4242, hostname: 'ci-runner', startedAt: '2026-11-27T12:00:00.000Z', command: 'daily' },
        ageHours: 0.1,
      },
      errors: [{ code: 'E_LOCK_TAKEN', message: 'lock held by run 20261127T120000Z-4242-ab12 (pid 4242 on ci-runner, daily)' }],
      commandLog: null,
    }),
  validationFailed: () =>
    makeRunState({
      outcome: 'validation-failed',
      exitCode: 14,
      stoppedBy: 'validate',
      shas: {
        before: { upstream: SHA.upstreamOld, mirror: SHA.upstreamOld, trunk: SHA.trunkOld, forkTrunk: SHA.trunkOld },
        after: { upstream: SHA.upstreamNew, mirror: SHA.upstreamNew, trunk: SHA.trunkNew, forkTrunk: SHA.trunkNew },
      },
      stageOverrides: {
        verify: done('3 patches replay cleanly', 1000, verifyData),
        apply: done('dev rebased and pushed', 2000, { pushed: ['dev', 'main'], bump: null }),
        align: { status: 'not-configured', summary: 'no graphite section in the config' },
        validate: {
          ...done('2 tests failed', 61_000),
          status: 'failed',
          data: {
            steps: [
              { name: 'fmt', status: 'ok', durationMs: 800 },
              { name: 'test', status: 'failed', durationMs: 60_000, logPath: '/work/fork/.scratch/rebase-daily/runs/x/cargo-test.log' },
            ],
            tests: { passed: 40, failed: ['tests::parse_header', 'tests::roundtrip'] },
          },
        },
      },
    }),
} satisfies Record<string, () => RunState>;
