import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { createForkFixture, git, makeTempDir, removeDir, writeFixtureConfig, type ForkFixture, type ForkFixtureOptions } from '@rebase-daily/core/testing';
import { main, type CliIO } from '../src/index.js';

export const cliRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const workspaceRoot = resolve(cliRoot, '..', '..');
export const binPath = join(cliRoot, 'dist', 'bin.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

/** Run the CLI in-process with captured output. */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = process.cwd()): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: { ...process.env, ...env }, cwd, isTTY: false };
  const code = await main(args, io);
  let json: any = null;
  if (args.includes('--json')) json = JSON.parse(stdout);
  return { code, stdout, stderr, json };
}

/** Run the built CLI as a child process (signals, concurrency). */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [binPath, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((res) => child.on('close', (code) => res({ code, stdout, stderr })));
  return { child, done };
}

export interface Day {
  fixture: ForkFixture;
  configPath: string;
  refs(): Record<string, string>;
  report(): any;
  clean(): boolean;
  head(): string;
}

/** A fork fixture plus its config; `refs()` snapshots every ref that matters. */
export function day(options: ForkFixtureOptions = {}, extraConfig: Record<string, unknown> = {}): Day {
  const fixture = createForkFixture(options);
  const configPath = writeFixtureConfig(fixture, extraConfig);
  const ref = (repo: string, r: string) => {
    try {
      return git(repo, 'rev-parse', '--verify', '--quiet', r);
    } catch {
      return '';
    }
  };
  return {
    fixture,
    configPath,
    refs: () => ({
      trunk: ref(fixture.clone, `refs/heads/${fixture.trunk}`),
      mirror: ref(fixture.clone, `refs/heads/${fixture.mirror}`),
      originTrunk: ref(fixture.originBare, `refs/heads/${fixture.trunk}`),
      originMirror: ref(fixture.originBare, `refs/heads/${fixture.mirror}`),
      upstream: ref(fixture.upstreamBare, `refs/heads/${fixture.upstreamBranch}`),
    }),
    report: () => {
      const base = join(fixture.clone, '.scratch', 'rebase-daily');
      const days = existsSync(base) ? readdirSync(base).filter((d: string) => /^\d{4}-/.test(d)).sort() : [];
      return JSON.parse(readFileSync(join(base, days[days.length - 1], 'report.json'), 'utf8'));
    },
    clean: () => git(fixture.clone, 'status', '--porcelain') === '' && !existsSync(join(fixture.clone, '.git', 'rebase-merge')),
    head: () => git(fixture.clone, 'symbolic-ref', '--short', 'HEAD'),
  };
}

/**
 * For a test file whose runs call gt: a throwaway HOME for the whole file (gt keeps its user config
 * and caches under HOME; nothing leaks in or out), with rustup and cargo still found under the real
 * one, and gt told not to phone home or prompt.
 */
export function useThrowawayHome(prefix: string): void {
  const savedHome = process.env.HOME;
  let home = '';
  beforeAll(() => {
    home = makeTempDir(prefix);
    if (savedHome) {
      for (const [name, dir] of [['RUSTUP_HOME', '.rustup'], ['CARGO_HOME', '.cargo']] as const) {
        if (!process.env[name] && existsSync(join(savedHome, dir))) process.env[name] = join(savedHome, dir);
      }
    }
    process.env.HOME = home;
    process.env.GRAPHITE_DISABLE_TELEMETRY = '1';
    process.env.GRAPHITE_DISABLE_UPGRADE_PROMPT = '1';
  });
  afterAll(() => {
    process.env.HOME = savedHome;
    removeQuietly(() => removeDir(home));
  });
}

/** Clean up a test's day; gt's background helpers may still write there, and a leftover temp dir is no failure. */
export function cleanupDay(d: Day | undefined): void {
  removeQuietly(() => d?.fixture.cleanup());
}

function removeQuietly(remove: () => void): void {
  try {
    remove();
  } catch {
    // see cleanupDay
  }
}
