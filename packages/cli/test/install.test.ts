import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForkFixture, makeTempDir, removeDir, type ForkFixture } from '@rebase-daily/core/testing';
import { resolveTool } from '@rebase-daily/cargo-validate';
import { cliRoot, useThrowawayHome, workspaceRoot } from './helpers.js';

// "Install once, run anywhere": `npm install -g ./packages/cli` into a throwaway prefix, with the
// registry unreachable (nothing is fetched: the bin is one self-contained bundle), then the
// installed `rebase-daily` runs from folders outside this checkout: --version, init and a real day
// on a generated fork (real git, bare remotes over file paths).
useThrowawayHome('rebase-daily-install-home-');

let prefix = '';
let fx: ForkFixture | undefined;
let path = '';
const outside = () => makeTempDir('rebase-daily-outside-');

beforeAll(() => {
  prefix = makeTempDir('rebase-daily-prefix-');
  execFileSync('npm', ['install', '-g', '--prefix', prefix, cliRoot, '--offline', '--registry', 'http://127.0.0.1:9/', '--no-audit', '--no-fund'], { encoding: 'utf8', stdio: 'pipe' });
  // A scheduler-like PATH: the installed bin, node, git, the system folders — not this checkout's node_modules/.bin.
  const git = resolveTool('git', { searchDirs: [] });
  path = [join(prefix, 'bin'), dirname(process.execPath), ...(git ? [dirname(git)] : []), '/usr/bin', '/bin'].join(delimiter);
}, 120_000);
afterAll(() => {
  fx?.cleanup();
  removeDir(prefix);
});

function installed(args: string[], cwd: string) {
  const r = spawnSync('rebase-daily', args, { cwd, encoding: 'utf8', env: { ...process.env, PATH: path, REBASE_DAILY_CLI: '', NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm install -g ./packages/cli', () => {
  it('puts rebase-daily on PATH, linked to this build, with nothing fetched', () => {
    const bin = join(prefix, 'bin', 'rebase-daily');
    expect(existsSync(bin)).toBe(true);
    expect(realpathSync(bin)).toBe(join(cliRoot, 'dist', 'bin.js'));
    // The bundle imports nothing but Node builtins.
    const bare = [...readFileSync(join(cliRoot, 'dist', 'bin.js'), 'utf8').matchAll(/^import .* from "([^"]+)"/gm)].map((m) => m[1]);
    expect(bare.filter((m) => !builtinModules.includes(m.replace(/^node:/, '')))).toEqual([]);
  });

  it('--version from a folder outside the checkout', () => {
    const cwd = outside();
    expect(cwd.startsWith(workspaceRoot)).toBe(false);
    const r = installed(['--version'], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${JSON.parse(readFileSync(join(cliRoot, 'package.json'), 'utf8')).version}\n`);
  });

  it('init in a fork prints a cron line and a systemd unit that run the installed binary; then a real day exits 0', () => {
    fx = createForkFixture({ trunk: 'fork/integration', upstreamCommits: [{ files: { 'UP.md': 'new\n' }, message: 'upstream: new' }] });
    const init = installed(['init', '--trunk', 'fork/integration', '--json'], fx.clone);
    expect(init.code, init.stderr).toBe(0);
    const { schedule } = JSON.parse(init.stdout).data;
    const bin = join(prefix, 'bin', 'rebase-daily');
    expect(schedule.command).toBe(`${bin} daily --config ${join(fx.clone, 'rebase-daily.json')}`);
    expect(schedule.cron).toContain(`&& PATH=`);
    expect(schedule.cron).toContain(` ${bin} daily --config `);
    expect(schedule.systemdService).toContain(`ExecStart=${bin} daily --config`);
    // Not the interactive PATH: only the tools' folders and the system ones.
    const cronPath = /PATH=(\S+)/.exec(schedule.cron)![1].replace(/^'|'$/g, '').split(':');
    expect(cronPath).not.toContain(join(prefix, 'bin'));
    expect(cronPath).toContain(dirname(process.execPath));
    for (const system of ['/usr/local/bin', '/usr/bin', '/bin']) expect(cronPath).toContain(system);
    expect(new Set(cronPath).size).toBe(cronPath.length);

    const day = installed(['daily', '--config', join(fx.clone, 'rebase-daily.json')], outside());
    expect(day.code, day.stderr).toBe(0);
    expect(day.stdout.split('\n')[0]).toMatch(/✅ success/);
  });
});
