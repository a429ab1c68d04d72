import { describe, expect, it } from 'vitest';
import { classifyPush, parsePushPorcelain } from './push-rejection.js';

// Real output of git 2.39 `git push --porcelain --force-with-lease=refs/heads/<b>:<sha> origin <sha>:refs/heads/<b>`.
const to = 'To /tmp/pushcap/o.git\n';
const failed = "error: failed to push some refs to '/tmp/pushcap/o.git'";
const cases: [string, { exitCode: number; timedOut?: boolean; stdout: string; stderr: string }, string, string][] = [
  ['new branch', { exitCode: 0, stdout: `${to}*\t8ef923bfaebb7275c4961844407a9a39d781734e:refs/heads/x\t[new branch]\nDone`, stderr: '' }, 'pushed', '[new branch]'],
  ['fast-forward', { exitCode: 0, stdout: `${to} \t8ef923bfaebb7275c4961844407a9a39d781734e:refs/heads/main\tc4fd22b..8ef923b\nDone`, stderr: '' }, 'pushed', 'c4fd22b..8ef923b'],
  [
    'forced update',
    { exitCode: 0, stdout: `${to}+\teae6f71dcf2f84a8af09972b476825856ab26be1:refs/heads/main\t8ef923b...eae6f71 (forced update)\nDone`, stderr: '' },
    'pushed',
    '8ef923b...eae6f71 (forced update)',
  ],
  ['up to date', { exitCode: 0, stdout: `${to}=\teae6f71dcf2f84a8af09972b476825856ab26be1:refs/heads/main\t[up to date]\nDone`, stderr: '' }, 'up-to-date', '[up to date]'],
  [
    'lease: remote moved',
    { exitCode: 1, stdout: `${to}!\t8ef923bfaebb7275c4961844407a9a39d781734e:refs/heads/main\t[rejected] (stale info)\nDone`, stderr: failed },
    'stale-info',
    'stale info',
  ],
  [
    'lease: must-not-exist but exists',
    { exitCode: 1, stdout: `${to}!\tc4fd22b775a5b9cdf70120d62a5fcaceb407a2b6:refs/heads/main\t[rejected] (stale info)\nDone`, stderr: failed },
    'stale-info',
    'stale info',
  ],
  [
    'lease held by the remote: moved during our push',
    {
      exitCode: 1,
      stdout: `${to}!\t562a2ecf966848d6ba05c6fe20c7af8439ec9904:refs/heads/main\t[remote rejected] (failed to update ref)\nDone`,
      stderr: `remote: error: cannot lock ref 'refs/heads/main': is at 973e9d2015ea7f332f728020563f6c80dee19c69 but expected eae6f71dcf2f84a8af09972b476825856ab26be1        \n${failed}`,
    },
    'remote-rejected',
    "failed to update ref: error: cannot lock ref 'refs/heads/main': is at 973e9d2015ea7f332f728020563f6c80dee19c69 but expected eae6f71dcf2f84a8af09972b476825856ab26be1",
  ],
  [
    'protected branch (pre-receive)',
    {
      exitCode: 1,
      stdout: `${to}!\t8ef923bfaebb7275c4961844407a9a39d781734e:refs/heads/main\t[remote rejected] (pre-receive hook declined)\nDone`,
      stderr: `remote: protected branch: main        \n${failed}`,
    },
    'remote-rejected',
    'pre-receive hook declined: protected branch: main',
  ],
  [
    'update hook',
    {
      exitCode: 1,
      stdout: `${to}!\t8ef923bfaebb7275c4961844407a9a39d781734e:refs/heads/main\t[remote rejected] (hook declined)\nDone`,
      stderr: `remote: error: hook declined to update refs/heads/main        \n${failed}`,
    },
    'remote-rejected',
    'hook declined: error: hook declined to update refs/heads/main',
  ],
  [
    'non-fast-forward (no lease)',
    {
      exitCode: 1,
      stdout: `${to}!\tc4fd22b775a5b9cdf70120d62a5fcaceb407a2b6:refs/heads/main\t[rejected] (non-fast-forward)\nDone`,
      stderr: `${failed}\nhint: Updates were rejected because the tip of your current branch is behind`,
    },
    'non-fast-forward',
    'non-fast-forward',
  ],
  ['pre-push hook refused', { exitCode: 1, stdout: '', stderr: `pre-push says no\n${failed}` }, 'refused-locally', 'pre-push says no'],
  [
    'unreachable remote',
    {
      exitCode: 128,
      stdout: '',
      stderr: "fatal: 'nowhere' does not appear to be a git repository\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.",
    },
    'unreachable',
    "'nowhere' does not appear to be a git repository",
  ],
  ['timeout', { exitCode: 124, timedOut: true, stdout: '', stderr: '' }, 'timeout', 'push timed out'],
  // `git push --porcelain --atomic` with two leases, the second stale: the first ref is refused too.
  [
    'atomic: the other ref failed',
    {
      exitCode: 1,
      stdout: `To /tmp/atx/r.git\n!\t650fe1a9e144c76022b4e39b4ebfcc569458a1c3:refs/heads/a\t[rejected] (atomic push failed)\n!\t650fe1a9e144c76022b4e39b4ebfcc569458a1c3:refs/heads/b\t[rejected] (stale info)\nDone`,
      stderr: "error: atomic push failed for ref refs/heads/b. status: 7\n\nerror: failed to push some refs to '/tmp/atx/r.git'",
    },
    'atomic-failed',
    'atomic push failed',
  ],
  [
    'atomic: unsupported by the remote (receive.advertiseAtomic=false)',
    { exitCode: 128, stdout: '', stderr: 'fatal: the receiving end does not support --atomic push\nfatal: the remote end hung up unexpectedly' },
    'atomic-unsupported',
    'the receiving end does not support --atomic push',
  ],
];

describe('classifyPush', () => {
  it.each(cases)('%s', (_name, input, kind, detail) => {
    const ref = parsePushPorcelain(input.stdout)[0]?.to ?? 'refs/heads/main';
    expect(classifyPush(input, ref)).toMatchObject({ kind, detail });
  });
});

describe('parsePushPorcelain', () => {
  it('reads flag, refs, summary and reason', () => {
    expect(parsePushPorcelain(`${to}!\tabc:refs/heads/main\t[rejected] (stale info)\nDone`)).toEqual([
      { flag: '!', from: 'abc', to: 'refs/heads/main', summary: '[rejected] (stale info)', reason: 'stale info' },
    ]);
  });
});
