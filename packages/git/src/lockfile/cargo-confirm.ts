import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { LockConfirmation, Runner } from '@rebase-daily/core';

const CARGO_TIMEOUT_MS = 120_000;
const lastLine = (s: string) => s.trim().split('\n').pop() ?? '';

/**
 * Ask cargo whether it accepts a merged lock as it is: the replayed `tree` checked out into a
 * scratch directory (a temporary index; nothing of the repository's worktrees or index is touched),
 * then `cargo metadata --offline --locked` on the workspace beside the lock. `--locked` makes cargo
 * fail rather than rewrite a lock it would resolve differently. Offline, a lock with registry
 * crates cargo has never downloaded cannot be checked: that is `not-confirmed` with cargo's reason,
 * not a failure of the day — the merge itself stands on the structural rules.
 */
export async function confirmLockWithCargo(run: Runner, repo: string, options: { tree: string; lockFile: string; env?: NodeJS.ProcessEnv; cargo?: string }): Promise<LockConfirmation> {
  const dir = mkdtempSync(join(tmpdir(), 'rebase-daily-lockcheck-'));
  const work = join(dir, 'tree');
  const env = { ...options.env, GIT_INDEX_FILE: join(dir, 'index') };
  const file = options.lockFile;
  mkdirSync(work);
  try {
    const read = await run('git', ['read-tree', options.tree], { cwd: repo, env });
    const out = read.exitCode === 0 ? await run('git', [`--work-tree=${work}`, 'checkout-index', '-a', '-f', `--prefix=${work}/`], { cwd: repo, env }) : read;
    if (out.exitCode !== 0) return { status: 'not-confirmed', file, detail: `could not check out the replayed tree: ${lastLine(out.stderr)}` };
    const manifest = join(work, posix.dirname(file), 'Cargo.toml');
    const r = await run(options.cargo ?? 'cargo', ['metadata', '--offline', '--locked', '--format-version', '1', '--manifest-path', manifest], {
      cwd: work,
      env: { CARGO_TERM_COLOR: 'never', CARGO_TARGET_DIR: join(dir, 'target') },
      timeoutMs: CARGO_TIMEOUT_MS,
    });
    if (r.spawnError) return { status: 'no-cargo', file, detail: 'cargo is not installed here; the lock was merged by structure and not confirmed by cargo' };
    if (r.exitCode === 0) return { status: 'confirmed', file, detail: 'cargo metadata --offline --locked accepts the merged lock' };
    return { status: 'not-confirmed', file, detail: `cargo metadata --offline --locked exit ${r.exitCode}: ${lastLine(r.stderr)}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
