#!/usr/bin/env node
// Whole-command benchmark: what a user waits for, as whole processes, paired in one run.
//
//   node tools/bench/day-bench.mjs [--rounds N] [--only verify|day|nochange] [--keep]
//
// 1. verify    `rebase-daily verify` (memory engine) against the same command with `engine: "worktree"`,
//              on the engine benchmark's generated fork (tools/bench/generate.mjs: 30,034 files, a
//              30-patch queue, 300 upstream commits; BENCH_FILES=3000 for a quick look).
// 2. day       a clean day on a generated fork shaped like a real Rust fork (a Cargo workspace of 130
//              members with a Cargo.lock, 28 fork patches, the version bump on, 40 new upstream
//              commits, no validation), `rebase-daily daily` against the same day done by hand with
//              plain git: fetch upstream, `rebase --onto`, one atomic leased push of trunk and mirror.
// 3. nochange  a no-change day: the CLI's `daily` against the cron entrypoint (`tools/rebase/daily.mjs`,
//              the Nx target graph) on the same fork.
//
// Every figure is a whole process (node start included), timed by /usr/bin/time in the same run, the
// A and B commands alternating per round; it prints medians, ratios, the run's git and gt process
// counts (from its command log) and the peak RSS of the largest process. It is a benchmark, not a
// test: nothing asserts on time.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DIR, generate } from './generate.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const cli = join(root, 'packages/cli/dist/bin.js');
const cron = join(root, 'tools/rebase/daily.mjs');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const rounds = Number(option('--rounds', process.env.BENCH_ROUNDS ?? 3));
const only = option('--only', null);
if (only && !['verify', 'day', 'nochange'].includes(only)) throw new Error(`--only ${only}: verify, day or nochange`);
if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm ci (it builds the packages) first`);
const work = mkdtempSync(join(tmpdir(), 'rebase-daily-daybench-'));
const env = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Bench Bot',
  GIT_AUTHOR_EMAIL: 'bot@example.com',
  GIT_COMMITTER_NAME: 'Bench Bot',
  GIT_COMMITTER_EMAIL: 'bot@example.com',
  NO_COLOR: '1',
};
const git = (cwd, ...a) => execFileSync('git', a, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 28 }).trim();
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (s) => `${s.toFixed(2)} s`;
const mk = (p) => {
  mkdirSync(p, { recursive: true });
  return p;
};

/** One whole process under /usr/bin/time: wall seconds, peak RSS (MB), exit code. */
function timed(cmd, argv, cwd) {
  const out = join(work, 'time.txt');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', out, cmd, ...argv], { cwd, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const [wall, kb] = readFileSync(out, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { wall, rssMb: kb / 1024, code: r.status, stderr: r.stderr };
}

/** git and gt processes in the newest run's command log under `scratch`. */
function processCounts(scratch) {
  const runs = join(scratch, 'rebase-daily', 'runs');
  if (!existsSync(runs)) return { git: 0, gt: 0 };
  const newest = readdirSync(runs).sort().pop();
  const log = join(runs, newest, 'commands.jsonl');
  if (!existsSync(log)) return { git: 0, gt: 0 };
  const ends = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.durationMs !== undefined);
  const isGit = (a) => a[0] === 'git' || (a[0].endsWith('stdbuf') && a.includes('git'));
  return { git: ends.filter((l) => isGit(l.argv)).length, gt: ends.filter((l) => /(^|\/)gt$/.test(l.argv[0])).length };
}

function writeConfig(dir, config) {
  const file = join(dir, 'rebase-daily.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** A paired comparison: rounds alternate which command goes first. */
function pair(label, a, b, setupEach, ratio = 'b/a') {
  const rows = { a: [], b: [] };
  for (let i = 0; i < rounds; i++) {
    for (const side of i % 2 ? ['b', 'a'] : ['a', 'b']) {
      const spec = side === 'a' ? a : b;
      const cwd = setupEach ? setupEach(side, i) : spec.cwd;
      const t = timed(spec.cmd, spec.argv(cwd), cwd);
      if (!spec.okCodes.includes(t.code)) throw new Error(`${label} ${spec.name}: exit ${t.code}\n${t.stderr.slice(-2000)}`);
      const counts = spec.scratch ? processCounts(spec.scratch(cwd)) : null;
      rows[side].push({ ...t, counts });
      console.log(`  ${label} round ${i + 1}: ${spec.name} ${fmt(t.wall)}, ${t.rssMb.toFixed(0)} MB${counts ? `, ${counts.git} git / ${counts.gt} gt processes` : ''}`);
    }
  }
  const ma = median(rows.a.map((r) => r.wall));
  const mb = median(rows.b.map((r) => r.wall));
  const peak = (rs) => Math.max(...rs.map((r) => r.rssMb)).toFixed(0);
  const counts = (rs) => (rs[0].counts ? `${rs[0].counts.git} git, ${rs[0].counts.gt} gt` : '—');
  return { label, ratio, a: { name: a.name, median: ma, peak: peak(rows.a), counts: counts(rows.a) }, b: { name: b.name, median: mb, peak: peak(rows.b), counts: counts(rows.b) } };
}

const results = [];

// ---- 1. whole-command verify on the engine benchmark's fork -----------------------------------
if (!only || only === 'verify') {
  const bench = process.env.BENCH_DIR ?? DEFAULT_DIR;
  if (!existsSync(join(bench, 'HEAD'))) {
    console.log(`generating ${bench} ...`);
    await generate(bench);
  }
  // The bench repository is upstream (its `upstream` branch); the fork remote is a shared bare clone
  // (alternates: no copy of the 222 MB) whose trunk is the clean 30-patch queue.
  const forkRemote = join(work, 'verify-fork.git');
  git(work, 'clone', '--quiet', '--bare', '--shared', bench, forkRemote);
  git(forkRemote, 'branch', '-f', 'trunk', 'trunk-clean');
  const clone = join(work, 'verify-clone');
  git(work, 'clone', '--quiet', '--shared', '-b', 'trunk', forkRemote, clone);
  git(clone, 'remote', 'add', 'upstream', bench);
  git(clone, 'remote', 'set-url', '--push', 'upstream', 'DISABLED');
  git(clone, 'fetch', '--quiet', 'upstream');
  git(clone, 'branch', '--quiet', 'main', 'origin/main');
  const base = { repo: clone, trunk: 'trunk', mirror: 'main', upstreamBranch: 'upstream', scratchDir: join(work, 'verify-scratch') };
  const memoryCfg = writeConfig(mk(join(work, 'cfg-memory')), { ...base, engine: 'memory' });
  const worktreeCfg = writeConfig(mk(join(work, 'cfg-worktree')), { ...base, engine: 'worktree' });
  const scratch = () => base.scratchDir;
  results.push(
    pair(
      'verify',
      { name: 'memory engine', cmd: process.execPath, argv: () => [cli, 'verify', '--config', memoryCfg], okCodes: [0], cwd: work, scratch },
      { name: 'worktree engine', cmd: process.execPath, argv: () => [cli, 'verify', '--config', worktreeCfg], okCodes: [0], cwd: work, scratch },
    ),
  );
}

// ---- 2. a codex-shaped clean day against plain git ---------------------------------------------
/** Upstream: a 130-member Cargo workspace with a Cargo.lock; the fork: 28 patches and a bump; then 40 upstream commits. */
function codexShapedTemplate(dir) {
  const upstream = join(dir, 'upstream.git');
  const forkRemote = join(dir, 'fork.git');
  const seed = join(dir, 'seed');
  git(dir, 'init', '--quiet', '--bare', '-b', 'main', upstream);
  git(dir, 'init', '--quiet', '-b', 'main', seed);
  const members = Array.from({ length: 130 }, (_, i) => `crate-${String(i).padStart(3, '0')}`);
  const write = (rel, text) => {
    mkdirSync(dirname(join(seed, rel)), { recursive: true });
    writeFileSync(join(seed, rel), text);
  };
  write('codex-rs/Cargo.toml', `[workspace]\nresolver = "2"\nmembers = [\n${members.map((m) => `  "${m}",`).join('\n')}\n]\n\n[workspace.package]\nversion = "0.1.0"\nedition = "2021"\n`);
  for (const m of members) {
    write(`codex-rs/${m}/Cargo.toml`, `[package]\nname = "${m}"\nversion.workspace = true\nedition.workspace = true\n`);
    write(`codex-rs/${m}/src/lib.rs`, Array.from({ length: 40 }, (_, l) => `pub fn f${l}() -> u32 { ${l} }`).join('\n') + '\n');
  }
  const lock = (version) =>
    `# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n\n` +
    members.map((m) => `[[package]]\nname = "${m}"\nversion = "${version}"\n`).join('\n');
  write('codex-rs/Cargo.lock', lock('0.1.0'));
  git(seed, 'add', '-A');
  git(seed, 'commit', '--quiet', '-m', 'upstream: workspace');
  git(seed, 'tag', 'rust-v0.1.0');
  git(seed, 'push', '--quiet', upstream, 'main', 'rust-v0.1.0');
  // The fork: 28 patches, each editing one member's file (so they replay cleanly over upstream's work).
  git(seed, 'checkout', '--quiet', '-b', 'codex/integration-upstream-main');
  for (let p = 0; p < 28; p++) {
    const file = join(seed, 'codex-rs', members[p * 4], 'src', 'lib.rs');
    writeFileSync(file, readFileSync(file, 'utf8').replace('pub fn f0() -> u32 { 0 }', `pub fn f0() -> u32 { ${1000 + p} } // fork patch ${p + 1}`));
    git(seed, 'commit', '--quiet', '-am', `fork: patch ${p + 1}`);
  }
  git(dir, 'init', '--quiet', '--bare', '-b', 'main', forkRemote);
  git(seed, 'push', '--quiet', forkRemote, 'main', 'codex/integration-upstream-main');
  // 40 new upstream commits on other members' files.
  git(seed, 'checkout', '--quiet', 'main');
  for (let u = 0; u < 40; u++) {
    const file = join(seed, 'codex-rs', members[(u * 3 + 1) % 130], 'src', 'lib.rs');
    writeFileSync(file, readFileSync(file, 'utf8') + `pub fn upstream_${u}() {}\n`);
    git(seed, 'commit', '--quiet', '-am', `upstream: change ${u + 1}`);
  }
  git(seed, 'push', '--quiet', upstream, 'main');
  // The operator's clone.
  const clone = join(dir, 'clone');
  git(dir, 'clone', '--quiet', '-b', 'codex/integration-upstream-main', forkRemote, clone);
  git(clone, 'remote', 'add', 'upstream', upstream);
  git(clone, 'remote', 'set-url', '--push', 'upstream', 'DISABLED');
  git(clone, 'branch', '--quiet', 'main', 'origin/main');
  writeConfig(dir, {
    repo: 'clone',
    trunk: 'codex/integration-upstream-main',
    mirror: 'main',
    upstreamBranch: 'main',
    version: { source: 'tag', tagPattern: '^rust-v(\\d+\\.\\d+\\.\\d+)$', manifest: 'codex-rs/Cargo.toml', suffix: '-fork.1' },
  });
  rmSync(seed, { recursive: true, force: true });
  return dir;
}

/** A copy of a generated fork whose clone's remotes point at the copy's own bare repositories. */
function copyFork(template, dir) {
  cpSync(template, dir, { recursive: true });
  git(join(dir, 'clone'), 'remote', 'set-url', 'origin', join(dir, 'fork.git'));
  git(join(dir, 'clone'), 'remote', 'set-url', 'upstream', join(dir, 'upstream.git'));
  git(join(dir, 'clone'), 'remote', 'set-url', '--push', 'upstream', 'DISABLED');
  return dir;
}

/** The same day by hand: fetch upstream, rebase the queue onto it, one atomic leased push. */
const PLAIN_DAY = `set -e
cd clone
git fetch --quiet upstream
git fetch --quiet origin
old_trunk=$(git rev-parse refs/remotes/origin/codex/integration-upstream-main)
old_mirror=$(git rev-parse refs/remotes/origin/main)
base=$(git merge-base refs/heads/codex/integration-upstream-main refs/remotes/upstream/main)
git rebase --quiet --onto refs/remotes/upstream/main "$base" codex/integration-upstream-main
git branch -f main refs/remotes/upstream/main
git push --quiet --atomic origin \\
  --force-with-lease=refs/heads/codex/integration-upstream-main:$old_trunk \\
  --force-with-lease=refs/heads/main:$old_mirror \\
  codex/integration-upstream-main:codex/integration-upstream-main main:main
`;

if (!only || only === 'day') {
  const template = codexShapedTemplate(mk(join(work, 'day-template')));
  const fresh = (side, i) => copyFork(template, join(work, `day-${side}-${i}`));
  results.push(
    pair(
      'clean day',
      { name: 'rebase-daily daily', cmd: process.execPath, argv: (cwd) => [cli, 'daily', '--config', join(cwd, 'rebase-daily.json')], okCodes: [0], scratch: (cwd) => join(cwd, 'clone', '.scratch') },
      { name: 'plain git', cmd: 'bash', argv: () => ['-c', PLAIN_DAY], okCodes: [0] },
      fresh,
      'a/b',
    ),
  );
}

// ---- 3. a no-change day: CLI against the cron entrypoint ---------------------------------------
if (!only || only === 'nochange') {
  const d = copyFork(existsSync(join(work, 'day-template')) ? join(work, 'day-template') : codexShapedTemplate(mk(join(work, 'nc-template'))), join(work, 'nochange'));
  const config = join(d, 'rebase-daily.json');
  const first = spawnSync(process.execPath, [cli, 'daily', '--config', config], { env, encoding: 'utf8' });
  if (first.status !== 0) throw new Error(`nochange setup: exit ${first.status}\n${first.stderr}`);
  const scratch = () => join(d, 'clone', '.scratch');
  results.push(
    pair(
      'no-change day',
      { name: 'CLI daily', cmd: process.execPath, argv: () => [cli, 'daily', '--config', config], okCodes: [0], cwd: root, scratch },
      { name: 'cron entrypoint (Nx)', cmd: process.execPath, argv: () => [cron, '--config', config], okCodes: [0], cwd: root, scratch },
    ),
  );
}

console.log(`\n${rounds} round(s); node ${process.version}; ${git(work, 'version')}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
console.log('| comparison | A | A median | B | B median | ratio | A processes | A peak RSS | B peak RSS |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.label} | ${r.a.name} | ${fmt(r.a.median)} | ${r.b.name} | ${fmt(r.b.median)} | ${r.ratio === 'a/b' ? `A/B ${(r.a.median / r.b.median).toFixed(2)}` : `B/A ${(r.b.median / r.a.median).toFixed(2)}`}× | ${r.a.counts} | ${r.a.peak} MB | ${r.b.peak} MB |`);
}
if (!args.includes('--keep')) rmSync(work, { recursive: true, force: true });
else console.log(`kept ${work}`);
