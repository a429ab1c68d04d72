#!/usr/bin/env node
// Print the validate cache key of the trunk's current tree, for an Nx runtime input:
//   "inputs": [{ "runtime": "node packages/cargo-validate/bin/tree-hash.mjs --config rebase-daily.json" }]
// Plain node, no build. Exits non-zero (so Nx fails the task instead of guessing a hash) when the
// config cannot be read or the trunk does not exist. Prints `not-configured` without a validate section.
//
// It shells out with execFileSync rather than core's run() seam because it must run without a build;
// both commands are read-only probes.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { computeValidateCacheKey, normalizeValidateConfig } from './cache-key-core.mjs';

function arg(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function fail(message) {
  process.stderr.write(`tree-hash: ${message}\n`);
  process.exit(2);
}

// --config wins; else REBASE_DAILY_CONFIG; else --default-config (what an Nx target's `config`
// option defaults to: the Nx executors give REBASE_DAILY_CONFIG precedence over that option too).
const chosen = arg('--config') || process.env.REBASE_DAILY_CONFIG || arg('--default-config') || 'rebase-daily.json';
const configPath = isAbsolute(chosen) ? chosen : resolve(process.cwd(), chosen);
if (!existsSync(configPath)) fail(`config file not found: ${configPath}; pass --config FILE or set REBASE_DAILY_CONFIG`);
let config;
try {
  config = JSON.parse(readFileSync(configPath, 'utf8'));
} catch (err) {
  fail(`${configPath} is not valid JSON (${err.message})`);
}
if (!config.validate) {
  process.stdout.write('not-configured\n');
  process.exit(0);
}
const repoArg = arg('--repo');
const repo = repoArg ? resolve(process.cwd(), repoArg) : resolve(dirname(configPath), config.repo ?? '.');
if (!config.trunk) fail(`${configPath}: "trunk" is required`);
let tree;
try {
  tree = execFileSync('git', ['rev-parse', '--verify', '--quiet', `${config.trunk}^{tree}`], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
} catch {
  fail(`trunk "${config.trunk}" has no tree in ${repo}; check "trunk" and "repo" in the config`);
}
const workdir = join(repo, normalizeValidateConfig(config.validate).cwd);
let toolchain = 'cargo: missing';
try {
  toolchain = execFileSync('cargo', ['--version'], { cwd: existsSync(workdir) ? workdir : repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch {
  // A missing cargo is part of the key (the run will fail on it), not a reason to fail hashing.
}
const key = computeValidateCacheKey({ tree, validate: config.validate, toolchain });
if (process.argv.includes('--nx')) {
  // The Nx runtime input: the key plus how many validations of it have failed. A failing run
  // bumps that count, so the Nx cache entry it leaves behind is never looked up again.
  const failures = join(resolve(repo, config.scratchDir ?? '.scratch'), 'rebase-daily', 'validate-cache', `${key}.failures`);
  const n = existsSync(failures) ? Number.parseInt(readFileSync(failures, 'utf8'), 10) || 0 : 0;
  process.stdout.write(`${key} failures=${n}\n`);
  process.exit(0);
}
process.stdout.write(process.argv.includes('--json') ? `${JSON.stringify({ key, tree, toolchain, validate: normalizeValidateConfig(config.validate) })}\n` : `${key}\n`);
