import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { run as seamRun, type ResolvedConfig, type Runner } from '@rebase-daily/core';
import { computeValidateCacheKey, normalizeValidateConfig, type NormalizedValidateConfig } from '../bin/cache-key-core.mjs';

export { normalizeValidateConfig, type NormalizedValidateConfig };

export interface ValidateCacheKey {
  /** sha256 hex over tree + normalized validate config + toolchain (see bin/cache-key-core.mjs). */
  key: string;
  /** `git rev-parse <trunk>^{tree}`. */
  tree: string;
  /** `cargo --version` in the validate directory (`cargo: missing` when there is none). */
  toolchain: string;
  validate: NormalizedValidateConfig;
}

export interface CacheKeyOptions {
  run?: Runner;
  /** Override the toolchain line (tests; or a caller that already knows it). */
  toolchain?: string;
  /** Path of cargo; default `cargo` from PATH, as bin/tree-hash.mjs does. */
  cargo?: string;
}

/** The tree object of a commit-ish, or null when it does not resolve. */
export async function treeOf(run: Runner, repo: string, rev: string): Promise<string | null> {
  const r = await run('git', ['rev-parse', '--verify', '--quiet', `${rev}^{tree}`], { cwd: repo });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

/**
 * The key under which a validation of the trunk's current tree may be replayed. It is the same
 * string `bin/tree-hash.mjs` prints, so it can serve as an Nx runtime input. Null when there is no
 * `validate` section or the trunk does not resolve.
 */
export async function validateCacheKey(
  config: Pick<ResolvedConfig, 'trunk' | 'validate'>,
  repoPath: string,
  options: CacheKeyOptions = {},
): Promise<ValidateCacheKey | null> {
  if (!config.validate) return null;
  const run = options.run ?? ((cmd, args, o) => seamRun(cmd, args, o));
  const tree = await treeOf(run, repoPath, config.trunk);
  if (!tree) return null;
  const validate = normalizeValidateConfig(config.validate);
  let toolchain = options.toolchain;
  if (toolchain === undefined) {
    const workdir = join(repoPath, validate.cwd);
    const r = await run(options.cargo ?? 'cargo', ['--version'], { cwd: existsSync(workdir) ? workdir : repoPath });
    toolchain = r.exitCode === 0 ? r.stdout.trim() : 'cargo: missing';
  }
  return { key: computeValidateCacheKey({ tree, validate: config.validate, toolchain }), tree, toolchain, validate };
}
