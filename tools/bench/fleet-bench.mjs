#!/usr/bin/env node
// Simulated-scale fleet benchmark: N small generated forks in one Nx workspace (the plugin infers
// one project each), run twice from identical fixtures —
//   solo:  each fork alone, `daily.mjs --project <fork>` one after another (sum of the wall times);
//   fleet: `daily.mjs --all --parallel=P` once (wall time),
// then checks every fork's result against its solo twin (trunk tree and replayed subjects, mirror
// tree, fork remote trunk = local trunk) and that one fleet summary lists all N. A benchmark, not a
// test: it prints the figures and exits 1 only when a result differs.
//
//   node tools/bench/fleet-bench.mjs [--forks 100] [--parallel 2] [--keep]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createForkFixture, writeFixtureConfig } from '@rebase-daily/core/testing';
import { fleetSummaryPaths, localDate } from '@rebase-daily/core';

const checkout = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const FORKS = arg('--forks', 100);
const PARALLEL = arg('--parallel', 2);
const keep = process.argv.includes('--keep');
const env = { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' };
delete env.REBASE_DAILY_CONFIG;
delete env.REBASE_DAILY_RUN_ID;
const git = (cwd, ...a) => execFileSync('git', a, { cwd, encoding: 'utf8' }).trim();
const daily = join(checkout, 'tools', 'rebase', 'daily.mjs');

/** A workspace of N forks: fork i carries 2 patches, upstream brings 2 new commits. */
function workspace(label) {
  const ws = mkdtempSync(join(tmpdir(), `rebase-fleet-bench-${label}-`));
  const forks = [];
  for (let i = 0; i < FORKS; i++) {
    const name = `f${String(i).padStart(3, '0')}`;
    const fixture = createForkFixture({
      patches: [
        { files: { [`fork/${name}.md`]: `fork ${name}\n` }, message: `fork: notes for ${name}` },
        { files: { 'src/lib.txt': 'line 1\nline 2\nline 3\nfork line\n' }, message: 'fork: extend lib' },
      ],
      upstreamCommits: [
        { files: { 'UP.md': 'upstream\n' }, message: 'upstream: add UP.md' },
        { files: { 'README.md': 'upstream project, updated\n' }, message: 'upstream: readme' },
      ],
    });
    mkdirSync(join(ws, 'forks', name), { recursive: true });
    writeFixtureConfig(fixture, {}, join(ws, 'forks', name, 'rebase-daily.json'));
    forks.push({ name, fixture });
  }
  writeFileSync(join(ws, 'package.json'), '{ "name": "fleet-bench", "private": true }\n');
  writeFileSync(join(ws, 'nx.json'), `${JSON.stringify({ useDaemonProcess: false, plugins: [{ plugin: '@rebase-daily/cli/plugin', options: { configGlob: 'forks/*/rebase-daily.json' } }] })}\n`);
  symlinkSync(join(checkout, 'node_modules'), join(ws, 'node_modules'), 'dir');
  return { ws, forks };
}

/** What a day produced, independent of commit dates: trees and replayed subjects, remote = local. */
function result(f) {
  const { clone, originBare, trunk, mirror } = f.fixture;
  return {
    trunkTree: git(clone, 'rev-parse', `${trunk}^{tree}`),
    mirrorTree: git(clone, 'rev-parse', `${mirror}^{tree}`),
    queue: git(clone, 'log', '--format=%s', `${mirror}..${trunk}`),
    published: git(originBare, 'rev-parse', `refs/heads/${trunk}`) === git(clone, 'rev-parse', trunk),
  };
}

const time = (fn) => {
  const t = process.hrtime.bigint();
  const r = fn();
  return { r, ms: Number(process.hrtime.bigint() - t) / 1e6 };
};

// Builds are warm before either measurement (daily.mjs checks them, a cache hit).
spawnSync(process.execPath, [join(checkout, 'tools', 'build-all.mjs')], { cwd: checkout, stdio: 'ignore', env });
const solo = workspace('solo');
const fleet = workspace('fleet');
process.stderr.write(`fleet-bench: ${FORKS} forks, parallel ${PARALLEL}\n`);
let sum = 0;
for (const f of solo.forks) {
  const { r, ms } = time(() => spawnSync(process.execPath, [daily, '--project', f.name, '--workspace', solo.ws], { cwd: solo.ws, env, encoding: 'utf8' }));
  if (r.status !== 0) process.stderr.write(`solo ${f.name}: exit ${r.status}\n${r.stderr.slice(-2000)}\n`);
  sum += ms;
}
const { r: fr, ms: wall } = time(() => spawnSync(process.execPath, [daily, '--all', `--parallel=${PARALLEL}`, '--workspace', fleet.ws], { cwd: fleet.ws, env, encoding: 'utf8', maxBuffer: 1 << 28 }));
let differ = 0;
for (let i = 0; i < FORKS; i++) {
  const a = JSON.stringify(result(solo.forks[i]));
  const b = JSON.stringify(result(fleet.forks[i]));
  if (a !== b || !result(fleet.forks[i]).published) {
    differ++;
    process.stderr.write(`${fleet.forks[i].name}: solo ${a}\n         fleet ${b}\n`);
  }
}
const summary = JSON.parse(readFileSync(fleetSummaryPaths(fleet.ws, localDate(new Date().toISOString())).json, 'utf8'));
const ideal = sum / PARALLEL;
const lines = [
  `forks: ${FORKS}, parallel: ${PARALLEL}`,
  `solo, one after another: sum ${(sum / 1000).toFixed(1)} s (${(sum / FORKS / 1000).toFixed(1)} s a fork)`,
  `fleet (daily.mjs --all): wall ${(wall / 1000).toFixed(1)} s, exit ${fr.status}`,
  `wall / (sum / ${PARALLEL}): ${(wall / ideal).toFixed(2)} (target ≤ 1.2)`,
  `fleet summary: ${summary.forks.length} forks, exit ${summary.exitCode}, ${summary.forks.filter((f) => f.exitCode === 0).length} exited 0`,
  `results equal to the solo runs: ${FORKS - differ}/${FORKS}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
if (!keep) {
  for (const w of [solo, fleet]) {
    for (const f of w.forks) f.fixture.cleanup();
    rmSync(w.ws, { recursive: true, force: true });
  }
}
process.exit(differ || summary.forks.length !== FORKS ? 1 : 0);
