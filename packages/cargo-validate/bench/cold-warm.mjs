#!/usr/bin/env node
// Cold vs warm `cargo test --all-features` on fixtures/workspace with a persistent CARGO_TARGET_DIR,
// the way the validate stage runs it. Plain node, no build:
//   node packages/cargo-validate/bench/cold-warm.mjs [--runs 3]
// Each scenario is the median of --runs runs. Not a test: timings depend on the machine.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
const fixture = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'workspace');
const root = mkdtempSync(join(tmpdir(), 'cv-bench-'));
const target = join(root, 'cargo-target');
const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
const git = (cwd, ...args) => execFileSync('git', args, { cwd, env: gitEnv, stdio: 'pipe' });

function cargoTest(cwd) {
  const t = performance.now();
  execFileSync('cargo', ['test', '--all-features', '-q'], { cwd, env: { ...process.env, CARGO_TARGET_DIR: target }, stdio: 'pipe' });
  return (performance.now() - t) / 1000;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const repo = join(root, 'repo');
cpSync(fixture, repo, { recursive: true });
git(repo, 'init', '-q', '-b', 'trunk');
git(repo, 'add', '-A');
git(repo, 'commit', '-q', '-m', 'init');
const beta = join(repo, 'crates/beta/src/lib.rs');
const betaSource = readFileSync(beta, 'utf8');
const worktree = join(root, 'worktrees', 'validate');

const results = { cold: [], unchanged: [], oneFileChanged: [], freshWorktree: [] };
for (let i = 0; i < runs; i++) {
  rmSync(target, { recursive: true, force: true });
  results.cold.push(cargoTest(repo));
  results.unchanged.push(cargoTest(repo));
  writeFileSync(beta, `${betaSource}\npub fn day${i}() -> u32 {\n    ${i}\n}\n`);
  results.oneFileChanged.push(cargoTest(repo));
  writeFileSync(beta, betaSource);
  // The dedicated worktree is recreated each run at the same path: every file gets a new mtime.
  git(repo, 'worktree', 'add', '-q', '--detach', worktree, 'HEAD');
  cargoTest(worktree);
  git(repo, 'worktree', 'remove', '--force', worktree);
  git(repo, 'worktree', 'add', '-q', '--detach', worktree, 'HEAD');
  results.freshWorktree.push(cargoTest(worktree));
  git(repo, 'worktree', 'remove', '--force', worktree);
}
rmSync(root, { recursive: true, force: true });

const cargoVersion = execFileSync('cargo', ['--version'], { encoding: 'utf8' }).trim();
console.log(`${cargoVersion}, fixtures/workspace (2 crates, no external deps), median of ${runs}`);
const rows = [
  ['cold (empty target dir)', results.cold],
  ['warm, primary worktree, tree unchanged', results.unchanged],
  ['warm, primary worktree, one file changed', results.oneFileChanged],
  ['warm, fresh dedicated worktree (same path)', results.freshWorktree],
];
for (const [name, xs] of rows) console.log(`| ${name} | ${median(xs).toFixed(2)} s |`);
