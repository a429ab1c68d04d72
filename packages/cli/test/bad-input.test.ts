import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commitFiles, git, makeTempDir } from '@rebase-daily/core/testing';
import { COMMAND_FLAGS, COMMANDS, EnvelopeSchema, helpText, main, type CommandName } from '../src/index.js';
import { cli, day, type Day } from './helpers.js';

// Bad input gets the true reason: one line per problem naming the field or flag and the fix,
// exit 2 (12 for a refused push), and nothing in the repository or beside it changes.
let d: Day | undefined;
afterEach(() => d?.fixture.cleanup());

/** Everything a run could change: refs of the clone and both bare remotes, the tree, worktrees, files beside the repo. */
const snapshot = (dd: Day) => ({
  clone: git(dd.fixture.clone, 'for-each-ref', '--format=%(refname) %(objectname)'),
  origin: git(dd.fixture.originBare, 'for-each-ref', '--format=%(refname) %(objectname)'),
  upstream: git(dd.fixture.upstreamBare, 'for-each-ref', '--format=%(refname) %(objectname)'),
  status: git(dd.fixture.clone, 'status', '--porcelain', '--untracked-files=all', '--ignored'),
  worktrees: git(dd.fixture.clone, 'worktree', 'list', '--porcelain'),
  beside: readdirSync(dd.fixture.root).sort(),
});

function configIn(dir: string, content: unknown): string {
  const path = join(dir, 'rebase-daily.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

describe('config errors: the true reason, one line per problem, exit 2', () => {
  it.each([
    ['wrong type', { trunk: 42 }, ['trunk: expected a string, found the number 42; change it to a string']],
    ['an array', [], ['the config must be a JSON object like {"trunk": "my-fork/main"}, found an empty array; rewrite the file as one JSON object']],
    ['a string', '"fork/trunk"', ['the config must be a JSON object like {"trunk": "my-fork/main"}, found the string "fork/trunk"; rewrite the file as one JSON object']],
    ['a typo', { trunk: 't', mirorr: 'main' }, [expect.stringMatching(/^mirorr: unknown key; did you mean "mirror"\? rename it/)]],
    ['invalid JSON', '{\n  "trunk": "t",\n}\n', [expect.stringMatching(/: is not valid JSON: line 3, column 1: Expected double-quoted property name; fix the JSON syntax there$/)]],
    [
      'several problems',
      { trunk: 42, engine: 'memroy', push: { enabled: 'yes' }, lockk: {} },
      [
        'trunk: expected a string, found the number 42; change it to a string',
        'engine: expected one of "auto", "memory", "worktree", found the string "memroy"; did you mean "memory"?',
        'push.enabled: expected true or false, found the string "yes"; change it to true or false',
        expect.stringMatching(/^lockk: unknown key; did you mean "lock"\?/),
      ],
    ],
  ])('%s', async (_name, content, expected) => {
    const dir = makeTempDir();
    const configPath = configIn(dir, content);
    const json = await cli(['daily', '--config', configPath, '--json'], {}, dir);
    expect(json.code).toBe(2);
    expect(EnvelopeSchema.parse(json.json)).toMatchObject({ command: 'daily', exitCode: 2, outcome: 'usage-error' });
    expect(json.json.errors.map((e: { message: string }) => e.message)).toEqual(expected);
    const human = await cli(['daily', '--config', configPath], {}, dir);
    expect(human.code).toBe(2);
    expect(human.stderr.trim().split('\n')).toEqual([`rebase-daily: config error in ${configPath}:`, ...expected.map((e) => (typeof e === 'string' ? `  - ${e}` : expect.anything()))]);
    expect(human.stderr).not.toMatch(/warning:/);
    expect(readdirSync(dir)).toEqual(['rebase-daily.json']); // nothing created beside it
  });

  it('--config naming a directory says so', async () => {
    const dir = makeTempDir();
    const r = await cli(['verify', '--config', dir, '--json'], {}, dir);
    expect(r.code).toBe(2);
    expect(r.json.errors).toEqual([{ code: 'E_CONFIG_INVALID', message: `${dir}: is a directory, not a config file; pass the file itself (e.g. --config ${dir}/rebase-daily.json)` }]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a missing file names the ways to give one', async () => {
    const dir = makeTempDir();
    const r = await cli(['verify', '--config', join(dir, 'nope.json'), '--json'], {}, dir);
    expect(r.code).toBe(2);
    expect(r.json.errors).toEqual([{ code: 'E_CONFIG_NOT_FOUND', message: `config file not found: ${join(dir, 'nope.json')}; pass --config FILE, set REBASE_DAILY_CONFIG, or run \`rebase-daily init\`` }]);
  });

  it('doctor shows the same lines and fails the config check', async () => {
    const dir = makeTempDir();
    const r = await cli(['doctor', '--config', configIn(dir, { trunk: 42 }), '--json'], {}, dir);
    expect(r.code).toBe(1);
    expect(r.json.data.checks[0]).toMatchObject({ name: 'config', status: 'fail', message: expect.stringContaining('trunk: expected a string, found the number 42') });
  });
});

describe('flags: one line naming the fix, exit 2, nothing touched', () => {
  it.each([
    [['daily', '--bogus'], 'rebase-daily: unknown flag --bogus; see `rebase-daily daily --help`'],
    [['daily', '--conifg', 'x.json'], 'rebase-daily: unknown flag --conifg; did you mean --config? see `rebase-daily daily --help`'],
    [['daily', '--write', 'p.md'], 'rebase-daily: `rebase-daily daily` does not take --write (`rebase-daily prompt` does); see `rebase-daily daily --help`'],
    [['status', '--force'], 'rebase-daily: `rebase-daily status` does not take --force (`rebase-daily prompt`, `rebase-daily init` do); see `rebase-daily status --help`'],
    [['daily', '--config'], 'rebase-daily: --config needs a value: --config FILE; see `rebase-daily daily --help`'],
    [['daily', '--config', '--json'], 'rebase-daily: --config needs a value: --config FILE; see `rebase-daily daily --help`'],
    [['daily', '--config='], 'rebase-daily: --config needs a value: --config FILE; see `rebase-daily daily --help`'],
    [['daily', '--json=yes'], 'rebase-daily: --json takes no value (got "yes"); write --json alone; see `rebase-daily daily --help`'],
    [['daily', '--config', 'a.json', '--config', 'b.json'], 'rebase-daily: --config given twice ("a.json" and "b.json"); keep one; see `rebase-daily daily --help`'],
    [['--reason', 'x'], 'rebase-daily: --reason needs a command, e.g. `rebase-daily lock --reason TEXT`; see `rebase-daily --help`'],
    [['dialy'], 'rebase-daily: unknown command "dialy"; did you mean `rebase-daily daily`? commands: daily, verify, apply, align, validate, publish, report, status, doctor, prompt, init, lock, unlock, resolve, history, dashboard'],
    [['daily', 'extra'], 'rebase-daily: unexpected argument "extra"; see `rebase-daily daily --help`'],
    [['help', 'dialy'], 'rebase-daily: unknown command "dialy" after help; commands: daily, verify, apply, align, validate, publish, report, status, doctor, prompt, init, lock, unlock, resolve, history, dashboard'],
  ])('%j', async (args, line) => {
    d = day();
    const before = snapshot(d);
    const r = await cli(args, {}, d.fixture.clone);
    expect(r.code).toBe(2);
    if (args.includes('--json')) {
      // --json asked for the envelope: the same line is its error.
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout).errors[0].message).toBe(line.replace(/^rebase-daily: /, ''));
    } else {
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`${line}\n`);
    }
    // The same bad input with --json: the envelope names E_USAGE. (Without `--json=yes` that row's
    // input is no longer bad, so it has no --json twin.)
    if (!args.includes('--json=yes')) {
      const json = await cli(args.includes('--json') ? args : [...args, '--json'], {}, d.fixture.clone);
      expect(json.code).toBe(2);
      expect(json.json.errors.map((e: { code: string }) => e.code)).toEqual(['E_USAGE']);
    }
    expect(snapshot(d)).toEqual(before);
  });
});

/** The CLI in-process, output not parsed. */
async function raw(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: process.env, cwd: process.cwd(), isTTY: false });
  return { code, stdout, stderr };
}

describe('help', () => {
  it.each(Object.keys(COMMANDS) as CommandName[])('`help %s` and `<command> --help` list exactly the flags the command accepts', async (command) => {
    const viaHelp = await cli(['help', command]);
    const viaFlag = await cli([command, '--help']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(viaHelp.stdout).toBe(helpText(command));
    const flagsSection = viaHelp.stdout.slice(viaHelp.stdout.indexOf('\nFlags:\n'), viaHelp.stdout.indexOf('\nEnvironment:'));
    const listed = [...flagsSection.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(COMMAND_FLAGS[command].map((f) => `--${f}`).sort());
    const usage = viaHelp.stdout.split('\n').find((l) => l.startsWith('Usage:'))!;
    for (const f of COMMAND_FLAGS[command].filter((x) => x !== 'help')) expect(usage).toContain(`--${f}`);
    // Every flag the help lists is accepted (parses without a usage error).
    for (const f of COMMAND_FLAGS[command]) {
      const r = await raw([command, `--${f}`, ...(['config', 'repo', 'write', 'docs-dir', 'prompt-file', 'trunk', 'reason', 'authorised-by', 'out', 'fleet', 'accept'].includes(f) ? ['x'] : f === 'days' ? ['7'] : f === 'ci' ? ['github'] : []), '--help']);
      expect(r.code, `${command} --${f}`).toBe(0);
    }
  });

  it('the top-level help lists every command and `help <command>`', async () => {
    const r = await cli(['help']);
    expect(r.code).toBe(0);
    for (const c of Object.keys(COMMANDS)) expect(r.stdout).toContain(`  ${c} `);
    expect(r.stdout).toContain('rebase-daily help <command>');
  });
});

describe('output: no colour unless a terminal without NO_COLOR; fatal errors are not warnings', () => {
  const ESC = '\u001b[';

  async function runOnTTY(args: string[], env: NodeJS.ProcessEnv) {
    const { main } = await import('../src/index.js');
    let stderr = '';
    let stdout = '';
    const code = await main(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: { ...process.env, ...env }, cwd: process.cwd(), isTTY: true });
    return { code, stdout, stderr };
  }

  it('colour on a terminal; none with NO_COLOR, TERM=dumb, or off a terminal', async () => {
    d = day();
    const tty = await runOnTTY(['verify', '--config', d.configPath], { NO_COLOR: '' , TERM: 'xterm' });
    expect(tty.stderr).toContain(ESC);
    const noColor = await runOnTTY(['verify', '--config', d.configPath], { NO_COLOR: '1', TERM: 'xterm' });
    expect(noColor.stderr).not.toContain(ESC);
    const dumb = await runOnTTY(['verify', '--config', d.configPath], { NO_COLOR: '', TERM: 'dumb' });
    expect(dumb.stderr).not.toContain(ESC);
    const pipe = await cli(['verify', '--config', d.configPath], { NO_COLOR: '' });
    expect(pipe.stderr).not.toContain(ESC);
    expect(pipe.stdout).not.toContain(ESC);
  });

  it('a run stopped by preflight prints its error as an error, never as a warning', async () => {
    d = day();
    writeFileSync(join(d.fixture.clone, 'FORK.md'), 'local edit\n');
    const r = await cli(['daily', '--config', d.configPath]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rebase-daily: error: E_DIRTY_TREE: working tree \S+ has uncommitted changes in FORK\.md/m);
    expect(r.stderr).not.toMatch(/warning:.*E_DIRTY_TREE|warning: working tree/);
  });
});

describe('the upstream remote pushing where the fork pushes: E_CONFIG, exit 2, the fix names the remote', () => {
  it('daily refuses before any fetch or write; doctor fails the check with the same words', async () => {
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] });
    git(d.fixture.clone, 'remote', 'set-url', '--push', 'upstream', d.fixture.originBare);
    const before = snapshot(d);
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.code).toBe(2);
    expect(r.json.outcome).toBe('usage-error');
    expect(r.json.errors[0]).toMatchObject({ code: 'E_CONFIG', details: { field: 'remotes.upstream', remote: 'upstream' } });
    expect(r.json.errors[0].message).toBe(
      `the upstream remote "upstream" pushes to ${d.fixture.originBare}, the fork remote "origin"'s push URL; disable pushing upstream: \`git -C ${d.fixture.clone} remote set-url --push upstream no_push\``,
    );
    // Refs, remotes, worktrees and the files beside the repo are as before; the tree is clean (the
    // run's own report goes to the ignored scratch dir).
    const { status: _before, ...rest } = before;
    const { status: _after, ...restAfter } = snapshot(d);
    expect(restAfter).toEqual(rest);
    expect(git(d.fixture.clone, 'status', '--porcelain')).toBe('');

    const human = await cli(['daily', '--config', d.configPath]);
    expect(human.stderr).toMatch(/^rebase-daily: error: E_CONFIG: the upstream remote "upstream" pushes to/m);
    expect(human.stderr).not.toMatch(/warning/);

    const doc = await cli(['doctor', '--config', d.configPath, '--json']);
    expect(doc.code).toBe(1);
    expect(doc.json.data.checks.find((c: { name: string }) => c.name === 'upstream push URL')).toMatchObject({ status: 'fail', message: r.json.errors[0].message });
  });

  it('the fork remote pushing to upstream: E_CONFIG naming the fork remote', async () => {
    d = day();
    git(d.fixture.clone, 'remote', 'set-url', '--push', 'origin', d.fixture.upstreamBare);
    const r = await cli(['verify', '--config', d.configPath, '--json']);
    expect(r.code).toBe(2);
    expect(r.json.errors[0]).toMatchObject({ code: 'E_CONFIG', details: { field: 'remotes.fork', remote: 'origin' } });
    expect(r.json.errors[0].message).toContain(`remote set-url --push origin <your fork's URL>`);
  });
});

describe('exit 12 with no push attempted: what was found, and that nothing was pushed', () => {
  it('the fork remote trunk moved before the run (a real bare remote)', async () => {
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] });
    const other = d.fixture.otherClone();
    git(other, 'checkout', '-q', d.fixture.trunk);
    const foreign = commitFiles(other, { 'OTHER.md': 'someone else\n' }, 'someone else');
    git(other, 'push', '-q', 'origin', d.fixture.trunk);
    const localTrunk = d.refs().trunk;
    const originBefore = git(d.fixture.originBare, 'for-each-ref', '--format=%(refname) %(objectname)');

    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.code).toBe(12);
    expect(r.json.outcome).toBe('push-blocked');
    const pushes = JSON.parse(readFileSync(r.json.data.reportPath, 'utf8')).stages.find((s: { name: string }) => s.name === 'apply').data.pushes;
    expect(pushes).toEqual([]); // no push was run
    expect(git(d.fixture.originBare, 'for-each-ref', '--format=%(refname) %(objectname)')).toBe(originBefore);
    expect(d.refs().trunk).toBe(localTrunk);
    const s = (sha: string) => sha.slice(0, 12);
    const reason = `origin's ${d.fixture.trunk} is at ${s(foreign)}, which has 1 commit(s) the local ${d.fixture.trunk} (${s(localTrunk)}) lacks: ${s(foreign)} "someone else"`;
    expect(JSON.parse(readFileSync(r.json.data.reportPath, 'utf8')).lease).toEqual({ ref: `refs/heads/${d.fixture.trunk}`, remote: 'origin', expected: foreign, actual: foreign, attempted: false, local: localTrunk, reason });
    expect(r.json.errors[0]).toMatchObject({ code: 'E_LEASE_BLOCKED', message: `no push attempted, nothing was pushed: ${reason}; fetch, bring those commits into the local branch (or decide they must go), rerun` });

    const human = await cli(['daily', '--config', d.configPath]);
    expect(human.code).toBe(12);
    expect(human.stdout).toContain(`No push was attempted: ${reason}. Nothing was pushed.`);
    expect(human.stdout).not.toMatch(/expected `(\w+)`, found `\1`/);
    expect(human.stdout).toContain(`git log --oneline ${d.fixture.trunk}..origin/${d.fixture.trunk}`);
  });
});

// Keep the helpers honest: the snapshot sees a file created beside the repo.
it('the snapshot notices a file created beside the repo', () => {
  d = day();
  const before = snapshot(d);
  mkdirSync(join(d.fixture.root, 'locks'));
  expect(snapshot(d)).not.toEqual(before);
  expect(existsSync(join(d.fixture.root, 'locks'))).toBe(true);
});
