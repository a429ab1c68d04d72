import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FleetSummarySchema, fleetSummaryPaths, localDate, STAGES } from '@rebase-daily/core';
import { createForkFixture, git, writeFixtureConfig, type ForkFixture } from '@rebase-daily/core/testing';

// A workspace of three generated forks (real git repos, bare remotes by path), the plugin registered
// in its nx.json: Nx infers three projects with the full daily graph, and `daily.mjs --all` runs them
// through `nx run-many`. One fork is built to conflict: the fleet exits 10, the two others succeed.
const checkout = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const nx = join(checkout, 'node_modules', '.bin', 'nx');
const env = { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' } as NodeJS.ProcessEnv;
delete env.REBASE_DAILY_CONFIG;
delete env.REBASE_DAILY_RUN_ID;

const ws = mkdtempSync(join(tmpdir(), 'rebase-fleet-ws-'));
const fixtures: Record<string, ForkFixture> = {};
const upstream = [{ files: { 'UP.md': 'new upstream file\n' }, message: 'upstream: add UP.md' }];
// alpha and gamma: a clean day. beta: upstream rewrites the line beta's patch changed.
fixtures.alpha = createForkFixture({ upstreamCommits: upstream });
fixtures.beta = createForkFixture({
  patches: [{ files: { 'src/lib.txt': 'line 1\nfork line 2\nline 3\n' }, message: 'fork: change line 2' }],
  upstreamCommits: [{ files: { 'src/lib.txt': 'line 1\nupstream line 2\nline 3\n' }, message: 'upstream: change line 2' }],
});
fixtures.gamma = createForkFixture({ upstreamCommits: upstream });
for (const [name, f] of Object.entries(fixtures)) {
  mkdirSync(join(ws, 'forks', name), { recursive: true });
  // gamma names itself; the others take their folder's name.
  writeFixtureConfig(f, name === 'gamma' ? { name: 'engine' } : {}, join(ws, 'forks', name, 'rebase-daily.json'));
}
writeFileSync(join(ws, 'package.json'), '{ "name": "fleet-ws", "private": true }\n');
writeFileSync(join(ws, 'nx.json'), `${JSON.stringify({ useDaemonProcess: false, plugins: [{ plugin: '@rebase-daily/cli/plugin', options: { configGlob: 'forks/*/rebase-daily.json' } }] }, null, 2)}\n`);
symlinkSync(join(checkout, 'node_modules'), join(ws, 'node_modules'), 'dir');
afterAll(() => {
  for (const f of Object.values(fixtures)) f.cleanup();
  rmSync(ws, { recursive: true, force: true });
});

describe('a fleet of three forks', () => {
  it('Nx infers three rebase-fork projects, each with the full daily graph and its own config', () => {
    const file = join(ws, 'graph.json');
    const r = spawnSync(nx, ['graph', `--file=${file}`], { cwd: ws, env, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const nodes = JSON.parse(readFileSync(file, 'utf8')).graph.nodes as Record<string, { data: { root: string; tags: string[]; targets: Record<string, { executor: string; dependsOn?: string[]; options?: { config?: string }; cache?: boolean }> } }>;
    expect(Object.keys(nodes).sort()).toEqual(['alpha', 'beta', 'engine']);
    for (const [name, node] of Object.entries(nodes)) {
      const folder = name === 'engine' ? 'gamma' : name;
      expect(node.data.root).toBe(`forks/${folder}`);
      expect(node.data.tags).toEqual(['rebase-fork']);
      const chain = [...STAGES, 'daily'];
      expect(Object.keys(node.data.targets).sort()).toEqual([...chain].sort());
      chain.forEach((t, i) => {
        if (i > 0) expect(node.data.targets[t].dependsOn).toEqual([chain[i - 1]]);
      });
      // Outside the rebase-daily checkout nothing is built first: the installed packages run.
      expect(node.data.targets.verify.dependsOn).toBeUndefined();
      for (const s of STAGES) expect(node.data.targets[s].options?.config).toBe(`forks/${folder}/rebase-daily.json`);
      expect(node.data.targets.validate.cache).toBe(true);
    }
    const listed = spawnSync(nx, ['show', 'projects', '--with-target', 'daily'], { cwd: ws, env, encoding: 'utf8', timeout: 120_000 });
    expect(listed.stdout.trim().split('\n').sort()).toEqual(['alpha', 'beta', 'engine']);
  }, 240_000);

  it('daily.mjs --all runs every fork, exits 10 for the conflict, and writes the fleet summary', () => {
    const before = Object.fromEntries(Object.entries(fixtures).map(([n, f]) => [n, git(f.originBare, 'rev-parse', `refs/heads/${f.trunk}`)]));
    const r = spawnSync(process.execPath, [join(checkout, 'tools', 'rebase', 'daily.mjs'), '--all', '--parallel=2', '--workspace', ws], { cwd: ws, env, encoding: 'utf8', timeout: 600_000 });
    const out = r.stdout + r.stderr;
    expect(r.status, out).toBe(10);
    // The two clean forks published their rebased trunk; the conflicting one changed nothing remote.
    for (const name of ['alpha', 'gamma']) {
      const f = fixtures[name];
      expect(git(f.originBare, 'rev-parse', `refs/heads/${f.trunk}`), name).toBe(git(f.clone, 'rev-parse', f.trunk));
      expect(git(f.originBare, 'rev-parse', `refs/heads/${f.trunk}`), name).not.toBe(before[name]);
    }
    expect(git(fixtures.beta.originBare, 'rev-parse', `refs/heads/${fixtures.beta.trunk}`)).toBe(before.beta);

    const paths = fleetSummaryPaths(ws, localDate(new Date().toISOString()));
    const summary = FleetSummarySchema.parse(JSON.parse(readFileSync(paths.json, 'utf8')));
    expect(summary.exitCode).toBe(10);
    expect(summary.forks.map((f) => [f.name, f.outcome, f.exitCode])).toEqual([
      ['alpha', 'success', 0],
      ['beta', 'verify-conflict', 10],
      ['engine', 'success', 0],
    ]);
    // Each fork: its own run id (fleet id + name), its own report, its own lock released.
    expect(new Set(summary.forks.map((f) => f.runId)).size).toBe(3);
    for (const fork of summary.forks) {
      expect(fork.runId).toBe(`${summary.fleetRunId}-${fork.name}`);
      const report = JSON.parse(readFileSync(fork.report!, 'utf8'));
      expect(report.runId).toBe(fork.runId);
      expect(report.exitCode).toBe(fork.exitCode);
    }
    for (const f of Object.values(fixtures)) expect(existsSync(join(f.clone, '.scratch', 'locks', 'rebase-daily.lock'))).toBe(false);
    const md = readFileSync(paths.md, 'utf8');
    expect(md).toMatch(/^# rebase-daily fleet — exit 10/);
    expect(md).toMatch(/\| beta \| verify-conflict \| 10 \| \[report\.json\]/);
  }, 600_000);
});
