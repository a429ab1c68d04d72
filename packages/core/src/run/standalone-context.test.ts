import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recoverCrashedCandidates } from '../recovery/candidates.js';
import { parseConfig, type ResolvedConfig } from '../config/config.js';
import { boundRunner, CommandLog } from '../process/process.js';
import { cleanLeftovers } from '../repo/repo-guard.js';
import type { RunState } from '../contracts/run-state.js';
import { standaloneStageContext } from './standalone-context.js';
import { commitFiles, createForkFixture, git, writeFixtureConfig, type ForkFixture } from '../testing/index.js';

// A stage run outside the pipeline keeps real records: on disk before the thing exists, undone by
// close(), or — after a crash — by the next run's cleanup. Real repositories.
let fixture: ForkFixture | undefined;
afterEach(() => fixture?.cleanup());

function setup(): ResolvedConfig {
  fixture = createForkFixture();
  const path = writeFixtureConfig(fixture, { push: { enabled: false } });
  const r = parseConfig(JSON.parse(readFileSync(path, 'utf8')), path);
  if (!r.ok) throw new Error(r.errors.join());
  return r.config;
}

const onDisk = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as RunState;
const run = boundRunner(new CommandLog());

describe('standaloneStageContext', () => {
  it('a temporary is on record before it is created; close() removes it and drops the record', async () => {
    const config = setup();
    const s = standaloneStageContext({ config, run, command: 'test', stages: ['validate'] });
    const wt = join(config.scratchPath, 'worktrees', 'standalone');
    s.ctx.registerTemporary('worktree', wt);
    // Recorded, and the worktree does not exist yet.
    expect(onDisk(s.stateFile).temporaries).toEqual([{ kind: 'worktree', path: wt }]);
    expect(existsSync(wt)).toBe(false);
    git(config.repoPath, 'worktree', 'add', '-q', '--detach', wt, 'HEAD');
    const closed = await s.close();
    expect(closed.problems).toEqual([]);
    expect(closed.actions.join('\n')).toContain(wt);
    expect(existsSync(wt)).toBe(false);
    expect(existsSync(s.stateFile)).toBe(false);
  });

  it('after a crash (no close), the next run removes the recorded worktree and nothing it did not record', async () => {
    const config = setup();
    const s = standaloneStageContext({ config, run, command: 'test', stages: ['validate'] });
    const wt = join(config.scratchPath, 'worktrees', 'crashed');
    const users = join(fixture!.root, 'users-own');
    git(config.repoPath, 'worktree', 'add', '-q', '--detach', users, 'HEAD');
    s.ctx.registerTemporary('worktree', wt);
    git(config.repoPath, 'worktree', 'add', '-q', '--detach', wt, 'HEAD');
    const found = await cleanLeftovers(run, config, 'the-next-run');
    expect(found.join('\n')).toContain(`(left by run ${s.state.runId})`);
    expect(existsSync(wt)).toBe(false);
    expect(existsSync(users)).toBe(true);
    expect(onDisk(s.stateFile).temporaries).toEqual([]);
  });

  it('a candidate is on record before the move; after a crash the next run moves it back', async () => {
    const config = setup();
    const s = standaloneStageContext({ config, run, command: 'test', stages: ['align'] });
    git(config.repoPath, 'checkout', '-q', config.mirror);
    const from = git(config.repoPath, 'rev-parse', config.trunk);
    git(config.repoPath, 'checkout', '-q', config.trunk);
    const to = commitFiles(config.repoPath, { 'X.md': 'x\n' }, 'moved by the stage');
    git(config.repoPath, 'checkout', '-q', config.mirror);
    git(config.repoPath, 'update-ref', `refs/heads/${config.trunk}`, from, to);
    s.ctx.recordCandidate({ branch: config.trunk, role: 'trunk', from, to, remote: null, publish: false, status: 'recorded', keptAs: null });
    expect(onDisk(s.stateFile).candidates).toMatchObject([{ branch: config.trunk, from, to, status: 'recorded' }]);
    git(config.repoPath, 'update-ref', `refs/heads/${config.trunk}`, to, from);
    const recovered = await recoverCrashedCandidates(run, config, 'the-next-run');
    expect(recovered.problems).toEqual([]);
    expect(git(config.repoPath, 'rev-parse', config.trunk)).toBe(from);
    expect(git(config.repoPath, 'rev-parse', `refs/rebase-daily/candidates/${s.state.runId}/${config.trunk}`)).toBe(to);
  });

  it('close({ undoCandidates }) moves back what the stage moved, keeping it as a candidate ref', async () => {
    const config = setup();
    const s = standaloneStageContext({ config, run, command: 'test', stages: ['align'] });
    git(config.repoPath, 'checkout', '-q', config.mirror);
    const from = git(config.repoPath, 'rev-parse', config.trunk);
    const to = git(config.repoPath, 'rev-parse', config.mirror);
    s.ctx.recordCandidate({ branch: config.trunk, role: 'trunk', from, to, remote: null, publish: false, status: 'recorded', keptAs: null });
    git(config.repoPath, 'update-ref', `refs/heads/${config.trunk}`, to, from);
    const closed = await s.close({ undoCandidates: true });
    expect(closed.problems).toEqual([]);
    expect(git(config.repoPath, 'rev-parse', config.trunk)).toBe(from);
    expect(existsSync(s.stateFile)).toBe(false);
  });
});
