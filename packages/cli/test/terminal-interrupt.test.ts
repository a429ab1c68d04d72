import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FETCHED, git, makeTempDir, RUN_BOOKKEEPING, snapshotRepo, unexpectedChanges } from '@rebase-daily/core/testing';
import { binPath, cli, day, type Day } from './helpers.js';

// Ctrl-C in a real terminal (issue 21): the CLI runs in a tmux pseudo-terminal (Debian's tmux; CI
// installs it) and gets the interrupt key, not a `kill`: the terminal sends SIGINT to its foreground
// process group. The run's children are in their own groups, so only the tool gets it; the tool
// stops them and cleans up. A long validate step (`sleep`) is where the key lands, at several delays.
let d: Day | undefined;
const socket = `rebase-daily-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
afterEach(() => {
  try {
    tmux('kill-server');
  } catch {
    // no server left
  }
  d?.fixture.cleanup();
});

const sleepUntil = async (check: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return check();
};

describe('Ctrl-C in a real terminal during a long validate step', () => {
  it.each([0.05, 0.4, 1.5])('interrupt key %s s into validate: exit 130, no git lock file, local refs moved back, the report says so; a plain rerun finishes', async (delay) => {
    expect(() => execFileSync('tmux', ['-V'])).not.toThrow(); // install it: apt-get install -y tmux
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] });
    const root = d.fixture.root;
    const here = makeTempDir('rebase-daily-tty-'); // the test's own files and HOME, apart from the fork
    const slow = join(here, 'slow');
    const started = join(here, 'validating');
    // The test step sleeps while `slow` exists (the first run), and passes at once after.
    const config = d.configPath;
    const text = JSON.parse(readFileSync(config, 'utf8'));
    text.validate = { format: false, test: ['sh', '-c', `if [ -e ${slow} ]; then touch ${started}; sleep 30; fi`] };
    writeFileSync(config, JSON.stringify(text));
    writeFileSync(slow, '');
    const snap = () => snapshotRepo({ repo: d!.fixture.clone, remotes: [d!.fixture.upstreamBare, d!.fixture.originBare] });
    const before = snap();
    const rc = join(here, 'rc');
    tmux('new-session', '-d', '-s', 'run', '-x', '200', '-y', '50', `cd ${root} && HOME=${here} ${process.execPath} ${binPath} daily --config ${config}; echo $? > ${rc}; sleep 60`);
    expect(await sleepUntil(() => existsSync(started), 60_000)).toBe(true);
    await new Promise((r) => setTimeout(r, delay * 1000));
    tmux('send-keys', '-t', 'run', 'C-c');
    expect(await sleepUntil(() => existsSync(rc) && readFileSync(rc, 'utf8').trim() !== '', 30_000)).toBe(true);
    expect(readFileSync(rc, 'utf8').trim()).toBe('130');
    const screen = tmux('capture-pane', '-p', '-t', 'run', '-S', '-200');
    expect(screen.split('\n').find((l) => /E_INTERRUPTED/.test(l))).toMatch(/E_INTERRUPTED\W+run interrupted by SIGINT; repository restored, rerun when ready/);
    // Nothing outside the run's record: its scratch dir, the fetch, the kept candidate refs.
    const c = d.fixture.clone;
    expect(execFileSync('find', [join(c, '.git'), '-name', '*.lock'], { encoding: 'utf8' })).toBe('');
    expect(unexpectedChanges(before, snap(), [...RUN_BOOKKEEPING, ...FETCHED, /^refs \+ refs\/rebase-daily\/candidates\//, /^files \+ \.git\/refs\/rebase-daily\//, /^refs ~ refs\/remotes\//, /^files [+~] \.git\/(ORIG_HEAD|logs\/)/])).toEqual([]);
    const report = d.report();
    expect(report.exitCode).toBe(130);
    expect(report.nextActions[0]).toMatch(/^The run was interrupted by a signal and cleaned up; nothing is half-done/);
    expect(existsSync(join(c, '.scratch', 'locks', 'rebase-daily.lock'))).toBe(false);
    rmSync(slow);
    const rerun = await cli(['daily', '--config', config, '--json']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(git(d.fixture.originBare, 'rev-parse', d.fixture.trunk)).toBe(git(c, 'rev-parse', d.fixture.trunk));
  });
});
