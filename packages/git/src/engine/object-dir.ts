import type { Runner } from '@rebase-daily/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { EngineCallOptions } from './queue.js';

export interface RepoObjectInfo {
  /** The repository's real object directory, absolute. */
  objectDir: string;
  hash: 'sha1' | 'sha256';
}

/** Where the repository keeps its objects, and its hash algorithm (one `git rev-parse`). */
export async function repoObjectInfo(run: Runner, repo: string, options: EngineCallOptions = {}): Promise<RepoObjectInfo> {
  const r = await run('git', ['rev-parse', '--git-path', 'objects', '--show-object-format'], { cwd: repo, env: options.env, timeoutMs: options.timeoutMs });
  if (r.exitCode !== 0) throw new Error(`git rev-parse --git-path objects failed in ${repo} (exit ${r.exitCode}): ${r.stderr.trim()}`);
  const [path, format] = r.stdout.split('\n').map((l) => l.trim());
  return { objectDir: isAbsolute(path) ? path : resolve(repo, path), hash: format === 'sha256' ? 'sha256' : 'sha1' };
}

/**
 * The env that makes git write new objects to `objectDir` while still reading the repository's own
 * objects (its store becomes an alternate; alternates of alternates are followed by git).
 */
export function objectDirEnv(objectDir: string, realObjectDir: string, base: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const alternates = [realObjectDir, base.GIT_ALTERNATE_OBJECT_DIRECTORIES].filter(Boolean).join(delimiter);
  return { ...base, GIT_OBJECT_DIRECTORY: objectDir, GIT_ALTERNATE_OBJECT_DIRECTORIES: alternates };
}

/**
 * Run `fn` with a temporary object directory: everything written there (synthetic bases, merged
 * trees, replayed commits) disappears afterwards, so a verify leaves no loose objects in the repo and
 * never pushes it toward auto-gc. `fn` gets the directory and the env to pass to git calls.
 */
export async function withTemporaryObjectDir<T>(
  run: Runner,
  repo: string,
  fn: (objectDir: string, env: NodeJS.ProcessEnv, info: RepoObjectInfo) => Promise<T>,
  options: EngineCallOptions = {},
): Promise<T> {
  const info = await repoObjectInfo(run, repo, options);
  const dir = mkdtempSync(join(tmpdir(), 'rebase-daily-objects-'));
  try {
    return await fn(dir, objectDirEnv(dir, info.objectDir, options.env), info);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
