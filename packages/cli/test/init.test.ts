import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@rebase-daily/core';
import { commitFiles, createForkFixture, git, makeTempDir, type ForkFixture } from '@rebase-daily/core/testing';
import { initGraphiteStack } from '@rebase-daily/graphite/testing';
import { EnvelopeSchema } from '../src/index.js';
import { cli } from './helpers.js';

// init on real forks: detection, files written, config valid, a second run changes nothing,
// refusal to overwrite (all or nothing), and a day that runs right after it.
let f: ForkFixture | undefined;
afterEach(() => f?.cleanup());
beforeAll(() => {
  process.env.HOME = makeTempDir('rebase-daily-home-');
});

const DOC_FILES = ['runbook.md', 'gotchas.md', 'fork-policy-decisions.md', 'UPDATING.md', 'graphite-practices.md'];

/** Everything init could touch: files under the clone (outside .git objects) and info/exclude. */
function fingerprint(clone: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (name === '.git') continue;
      if (statSync(p).isDirectory()) walk(p);
      else out[p] = `${statSync(p).mtimeMs} ${readFileSync(p, 'utf8')}`;
    }
  };
  walk(clone);
  out.exclude = readFileSync(join(clone, '.git', 'info', 'exclude'), 'utf8');
  out.refs = git(clone, 'for-each-ref', '--format=%(refname) %(objectname)');
  return out;
}

function cargoFork(): ForkFixture {
  const fx = createForkFixture({ trunk: 'fork/integration' });
  commitFiles(
    fx.clone,
    {
      'codex-rs/Cargo.toml': '[workspace]\nresolver = "2"\nmembers = []\n\n[workspace.package]\nversion = "0.9.0"\n',
      'codex-rs/justfile': 'fmt:\n    cargo fmt --all\n',
    },
    'fork: cargo workspace',
  );
  git(fx.clone, 'push', '-q', 'origin', 'fork/integration');
  initGraphiteStack(fx.clone, 'fork/integration', []);
  git(fx.clone, 'checkout', '-q', 'main'); // init must not rely on what is checked out when Graphite knows the trunk
  return fx;
}

describe('init', () => {
  it('detects the fork, writes a valid config, the prompt and the docs; the tree stays clean', async () => {
    f = cargoFork();
    const r = await cli(['init', '--repo', f.clone, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const env = EnvelopeSchema.parse(r.json);
    expect(env.command).toBe('init');
    const data = r.json.data;
    const configPath = join(f.clone, 'rebase-daily.json');
    expect(data.configPath).toBe(configPath);
    const raw = JSON.parse(readFileSync(configPath, 'utf8'));
    expect(raw).toEqual({
      repo: '.',
      trunk: 'fork/integration',
      mirror: 'main',
      upstreamBranch: 'main',
      remotes: { fork: 'origin', upstream: 'upstream' },
      graphite: {},
      validate: { cwd: 'codex-rs' },
    });
    expect(parseConfig(raw, configPath).ok).toBe(true);
    expect(data.detected).toMatchObject({ graphiteTrunk: 'fork/integration', cargoWorkspace: 'codex-rs', justfile: true, workspaceVersion: '0.9.0' });
    expect(data.warnings.join('\n')).toMatch(/workspace version is 0\.9\.0.*"suffix"/);

    const docsDir = join(f.clone, 'docs', 'rebase-daily');
    expect(data.files.map((x: any) => [x.path, x.action])).toEqual([
      [configPath, 'created'],
      [join(docsDir, 'agent-prompt.md'), 'created'],
      ...DOC_FILES.map((n) => [join(docsDir, n), 'created']),
    ]);
    const prompt = readFileSync(join(docsDir, 'agent-prompt.md'), 'utf8');
    expect(prompt).not.toMatch(/\{\{|\}\}/);
    expect(prompt).toContain(`daily --config ${configPath} --json`);
    for (const n of DOC_FILES) {
      const text = readFileSync(join(docsDir, n), 'utf8');
      expect(text, n).not.toMatch(/<(trunk|mirror|fork-remote|upstream-remote|upstream-branch|repo|config|scratch)>/);
    }
    expect(readFileSync(join(docsDir, 'runbook.md'), 'utf8')).toContain('`fork/integration`');

    // Scheduler entries: the workspace's Nx entrypoint, with this config.
    expect(data.schedule.cron).toMatch(/^17 5 \* \* \* {2}cd .* && PATH=.*tools\/rebase\/daily\.mjs --config .*rebase-daily\.json >> "\$HOME\/rebase-daily-fork-integration\.log" 2>&1$/);
    expect(data.schedule.systemdService).toContain('ExecStart=');
    expect(data.schedule.systemdTimer).toContain('OnCalendar=*-*-* 05:17:00');

    // Generated files must not make the next preflight refuse a dirty tree.
    expect(git(f.clone, 'status', '--porcelain', '--untracked-files=all')).toBe('');
  });

  it('running it twice changes nothing', async () => {
    f = cargoFork();
    expect((await cli(['init', '--repo', f.clone])).code).toBe(0);
    const before = fingerprint(f.clone);
    const again = await cli(['init', '--repo', f.clone, '--json']);
    expect(again.code).toBe(0);
    expect(again.json.data.changed).toBe(false);
    expect(new Set(again.json.data.files.map((x: any) => x.action))).toEqual(new Set(['kept', 'unchanged']));
    expect(fingerprint(f.clone)).toEqual(before);
    const human = await cli(['init', '--repo', f.clone]);
    expect(human.stdout).toContain('nothing changed: the fork is already initialised');
  });

  it('refuses to overwrite a file that differs, writes nothing at all, and --force overwrites', async () => {
    f = cargoFork();
    await cli(['init', '--repo', f.clone]);
    const docsDir = join(f.clone, 'docs', 'rebase-daily');
    writeFileSync(join(docsDir, 'runbook.md'), 'my own notes\n');
    rmSync(join(docsDir, 'gotchas.md'));
    const refused = await cli(['init', '--repo', f.clone, '--json']);
    expect(refused.code).toBe(2);
    expect(refused.json.errors[0]).toMatchObject({ code: 'E_FILE_EXISTS', details: { paths: [join(docsDir, 'runbook.md')] } });
    expect(readFileSync(join(docsDir, 'runbook.md'), 'utf8')).toBe('my own notes\n');
    expect(existsSync(join(docsDir, 'gotchas.md'))).toBe(false); // all or nothing
    const forced = await cli(['init', '--repo', f.clone, '--force', '--json']);
    expect(forced.code).toBe(0);
    expect(forced.json.data.files.find((x: any) => x.path.endsWith('runbook.md')).action).toBe('overwritten');
    expect(readFileSync(join(docsDir, 'runbook.md'), 'utf8')).toContain('# rebase-daily runbook');
  });

  it('keeps a valid config the user edited, and renders from it', async () => {
    f = cargoFork();
    await cli(['init', '--repo', f.clone]);
    const configPath = join(f.clone, 'rebase-daily.json');
    const edited = { ...JSON.parse(readFileSync(configPath, 'utf8')), lock: { staleAfterHours: 2 } };
    writeFileSync(configPath, `${JSON.stringify(edited, null, 2)}\n`);
    const r = await cli(['init', '--repo', f.clone, '--json']);
    expect(r.code).toBe(2); // the prompt rendered from the edited config differs from the one on disk
    expect(r.json.errors[0].details.paths).toEqual([join(f.clone, 'docs', 'rebase-daily', 'agent-prompt.md')]);
    const forced = await cli(['init', '--repo', f.clone, '--force', '--json']);
    expect(forced.code).toBe(0);
  });

  it('custom paths, a fork without Graphite, and a day that runs right after', async () => {
    f = createForkFixture();
    const out = makeTempDir();
    const r = await cli(['init', '--repo', f.clone, '--config', join(out, 'rd.json'), '--docs-dir', join(out, 'docs'), '--prompt-file', join(out, 'prompt.md'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const raw = JSON.parse(readFileSync(join(out, 'rd.json'), 'utf8'));
    expect(raw.trunk).toBe('fork/trunk'); // the checked-out branch, for lack of a Graphite trunk
    expect(raw.graphite).toBeUndefined();
    expect(raw.validate).toBeUndefined();
    expect(existsSync(join(out, 'prompt.md'))).toBe(true);
    expect(readdirSync(join(out, 'docs')).sort()).toEqual([...DOC_FILES].sort());
    const daily = await cli(['daily', '--config', join(out, 'rd.json'), '--json']);
    expect(daily.code, JSON.stringify(daily.json.errors)).toBe(0);
    expect(daily.json.outcome).toBe('no-change');
  });

  it('a fork without an upstream remote gets a starter config and a warning', async () => {
    f = createForkFixture();
    git(f.clone, 'remote', 'remove', 'upstream');
    const r = await cli(['init', '--repo', f.clone, '--json']);
    expect(r.code).toBe(0);
    expect(r.json.data.warnings.join('\n')).toMatch(/no upstream remote yet: add it with `git -C .* remote add upstream <upstream url>`/);
  });

  it.each([
    ['not a repository', (dir: string) => dir, [] as string[], 1, 'E_NOT_A_REPO'],
    ['no trunk to be found', (dir: string) => (git(dir, 'init', '-q', '-b', 'main'), git(dir, 'commit', '-q', '--allow-empty', '-m', 'x'), dir), [] as string[], 2, 'E_USAGE'],
  ])('%s', async (_what, make, extra, code, errorCode) => {
    const dir = make(makeTempDir());
    const r = await cli(['init', '--repo', dir, ...extra, '--json']);
    expect(r.code).toBe(code);
    expect(r.json.errors[0].code).toBe(errorCode);
  });
});
