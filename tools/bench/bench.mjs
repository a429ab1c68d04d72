#!/usr/bin/env node
// Engine benchmark: verify with the in-memory engine and with the worktree engine (git worktree add +
// git rebase) side by side in one process, several rounds, medians and ratio; then conflict
// localization (bisection) over 1,000 upstream commits.
//
//   node tools/bench/bench.mjs [repo] [--rounds N] [--regenerate] [--only bisection] [--vs DIR]
//
// --vs DIR: also bundle the engine of another checkout (e.g. `git worktree add --detach /tmp/base
// <commit>` with its own `npm ci`) and time it in the same process, rounds alternating, medians side
// by side — an A/B on one machine at one time, which a figure from another day is not.
//
// The repo is made by generate.mjs on first use. The engine is bundled from its TypeScript sources
// with esbuild (already installed with tsup), so this runs right after `npm ci`, no build needed.
import { build } from 'esbuild';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DIR, generate } from './generate.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const repo = resolve(args.find((a, i) => !a.startsWith('--') && !['--rounds', '--only', '--vs'].includes(args[i - 1])) ?? DEFAULT_DIR);
const rounds = Number(option('--rounds', process.env.BENCH_ROUNDS ?? 3));
const only = option('--only', null);
const vsDir = option('--vs', null);
if (only && only !== 'bisection') throw new Error(`--only ${only}: only "bisection" is known`);

async function loadEngine(engineRoot = root, tag = 'this') {
  // The entry lives in that checkout, so its '@rebase-daily/core' (the process seam) is its own.
  const cache = join(engineRoot, 'tools', 'bench', '.cache');
  mkdirSync(cache, { recursive: true });
  const entry = join(cache, `entry-${tag}.ts`);
  writeFileSync(entry, `export * from '${join(engineRoot, 'packages/git/src/engine/index.ts')}';\nexport { run } from '@rebase-daily/core';\n`);
  const outfile = join(cache, `engine-${tag}.mjs`);
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', conditions: ['@rebase-daily/source'], external: ['execa', 'zod'], logLevel: 'warning' });
  return import(outfile);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;

if (flag('--regenerate') || !existsSync(join(repo, 'HEAD'))) {
  console.log(`generating ${repo} ...`);
  const t = performance.now();
  await generate(repo);
  console.log(`generated in ${secs(performance.now() - t)}`);
}

const engine = await loadEngine();
const vsEngine = vsDir ? await loadEngine(resolve(vsDir), 'vs') : null;
const env = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_COMMITTER_NAME: 'Bench Bot', GIT_COMMITTER_EMAIL: 'bot@example.com' };
let spawns = 0;
const run = (cmd, argv, opts) => {
  spawns++;
  return engine.run(cmd, argv, { ...opts, quiet: true });
};
const files = (await run('git', ['ls-tree', '-r', '--name-only', 'upstream'], { cwd: repo })).stdout.split('\n').length;
console.log(`repo ${repo}: ${files} files; ${rounds} round(s); node ${process.version}; ${(await run('git', ['version'], { cwd: repo })).stdout}`);

// What the verify stage runs with the in-memory engine: outcome-only, merges folded where certain.
async function memoryVerify(onto, trunk) {
  const r = await engine.verifyQueue(run, repo, { upstream: onto, trunk, env });
  return r.ok ? { ok: true } : { ok: false, commit: r.conflict.commit, files: r.conflict.files };
}
// The full in-memory replay (every commit written, one merge-tree per patch): what apply runs.
async function memoryReplay(onto, trunk) {
  return engine.withTemporaryObjectDir(
    run,
    repo,
    async (objectDir, e) => {
      const queue = await engine.listQueue(run, repo, onto, trunk, { env: e });
      const r = await engine.replayQueue(run, repo, { onto, commits: queue.commits, alreadyUpstream: queue.alreadyUpstream, objectDir, env: e });
      return r.ok ? { ok: true } : { ok: false, commit: r.commit, files: r.files };
    },
    { env },
  );
}
async function worktreeVerify(onto, trunk) {
  const r = await engine.worktreeReplay(run, repo, { onto, trunk, env });
  return r.ok ? { ok: true } : { ok: false, commit: r.commit, files: r.files };
}

async function timed(fn) {
  const before = spawns;
  const t = performance.now();
  const result = await fn();
  return { ms: performance.now() - t, result, spawns: spawns - before };
}

const rows = [];
// The verify stage gets both tips as SHAs from its preflight (one rev-parse for the whole run), so
// every engine here is given SHAs too.
const shaOf = async (ref) => (await run('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: repo })).stdout.trim();
for (const variant of only ? [] : ['clean', 'conflict']) {
  const trunk = await shaOf(`trunk-${variant}`);
  const onto = await shaOf('upstream');
  const times = { mem: [], replay: [], wt: [] };
  for (let i = 0; i < rounds; i++) {
    // Rotate the order so no engine always runs on a warm cache.
    const engines = [['mem', memoryVerify], ['replay', memoryReplay], ['wt', worktreeVerify]];
    for (let k = 0; k < i % 3; k++) engines.push(engines.shift());
    const out = {};
    for (const [name, fn] of engines) out[name] = await timed(() => fn(onto, trunk));
    for (const name of ['mem', 'replay']) {
      if (JSON.stringify(out[name].result) !== JSON.stringify(out.wt.result)) {
        console.error(`engines disagree (${name}):`, out[name].result, out.wt.result);
        process.exitCode = 1;
      }
    }
    for (const name of Object.keys(times)) times[name].push(out[name].ms);
    console.log(
      `  ${variant} round ${i + 1}: memory verify ${secs(out.mem.ms)} (${out.mem.spawns} spawns), memory full replay ${secs(out.replay.ms)} (${out.replay.spawns} spawns), ` +
        `worktree ${secs(out.wt.ms)} (${out.wt.spawns} spawns) → ${out.mem.result.ok ? 'clean' : `conflict in ${out.mem.result.files.join(', ')}`}`,
    );
  }
  rows.push({ variant, memory: median(times.mem), replay: median(times.replay), worktree: median(times.wt) });
}

const bisect = [];
const bisectVs = [];
let loc;
const localize = (e) => e.localizeConflict((cmd, argv, opts) => (spawns++, e.run(cmd, argv, { ...opts, quiet: true })), repo, { trunk: 'trunk-clean', target: 'upstream-long', env });
for (let i = 0; i < rounds; i++) {
  // With --vs, both engines each round, the order alternating so neither always runs warm.
  const order = vsEngine && i % 2 ? ['vs', 'this'] : ['this', 'vs'];
  for (const which of order) {
    if (which === 'vs' && !vsEngine) continue;
    const t = await timed(() => localize(which === 'vs' ? vsEngine : engine));
    (which === 'vs' ? bisectVs : bisect).push(t.ms);
    if (which === 'this') loc = t.result;
    console.log(`  bisection round ${i + 1}${vsEngine ? ` (${which === 'vs' ? vsDir : 'this checkout'})` : ''}: ${secs(t.ms)}, ${t.result.replays} replays, ${t.spawns} spawns`);
  }
}
if (vsEngine) console.log(`bisection medians of ${rounds}: this checkout ${secs(median(bisect))}, ${vsDir} ${secs(median(bisectVs))} (this / vs ${(median(bisect) / median(bisectVs)).toFixed(2)})`);

if (rows.length) console.log(`\nmedians of ${rounds}   memory verify   memory full replay   worktree (rebase)   worktree / memory verify   worktree / full replay`);
for (const r of rows) {
  console.log(
    `  ${r.variant.padEnd(10)} ${secs(r.memory).padEnd(15)} ${secs(r.replay).padEnd(20)} ${secs(r.worktree).padEnd(19)} ${(r.worktree / r.memory).toFixed(1).padStart(5)}×${' '.repeat(20)}${(r.worktree / r.replay).toFixed(1)}×`,
  );
}
console.log(
  `bisection over ${loc.upstreamCount} upstream commits: median ${secs(median(bisect))}, ${loc.replays} replays; ` +
    `last clean #${loc.lastClean?.index} "${loc.lastClean?.subject}", first breaking #${loc.firstBreaking?.index} "${loc.firstBreaking?.subject}", ` +
    `patch "${loc.patch?.subject}" on ${loc.files?.join(', ')}; ${loc.touching?.length} upstream commits touch it`,
);
