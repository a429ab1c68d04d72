import { lstatSync, mkdirSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gitDir, resolvePaths, type ResolvedConfig, type ResolveState, type Runner } from '@rebase-daily/core';

/** Persists the resolution state (atomic write); the rerere link is recorded through it before it exists. */
export type SaveState = () => void;

type LinkState = 'absent' | 'ours' | 'theirs';

function linkState(link: string, cache: string): LinkState {
  try {
    const st = lstatSync(link);
    return st.isSymbolicLink() && resolve(readlinkSync(link)) === resolve(cache) ? 'ours' : 'theirs';
  } catch {
    return 'absent';
  }
}

/** Remove `<common dir>/rr-cache` only when it is the link this resolution made. */
export function removeRerereLink(state: ResolveState, config: ResolvedConfig, save: SaveState): void {
  const link = state.rerere.link;
  if (!link) return;
  if (linkState(link, resolvePaths(config.scratchPath).rrCache) === 'ours') unlinkSync(link);
  state.rerere.link = null;
  save();
}

/**
 * Run `fn` with git rerere remembering resolutions in `<scratch>/rebase-daily/rerere/rr-cache`, kept
 * across days. git keeps rr-cache in the repository's common dir and has no setting to move it, so
 * for the duration of one git command (never longer) `<common dir>/rr-cache` is a symlink to the
 * scratch cache — made only when nothing is there, recorded in the resolution state before it is
 * created, and removed right after, so the user's repository never keeps it and the user's own
 * `git rebase` never sees a cache it did not ask for. A repository that has its own rr-cache is left
 * alone: the resolution then runs with rerere off (`rerere.enabled=false`) and says so.
 * `fn` gets the `-c` options for its git commands.
 */
export async function withRerereMemory<T>(run: Runner, config: ResolvedConfig, state: ResolveState, save: SaveState, fn: (gitConfig: string[]) => Promise<T>): Promise<T> {
  const cache = resolvePaths(config.scratchPath).rrCache;
  const common = await gitDir(run, config.repoPath, '--git-common-dir');
  const link = common ? join(common, 'rr-cache') : null;
  const off = ['-c', 'rerere.enabled=false'];
  const on = ['-c', 'rerere.enabled=true', '-c', 'rerere.autoUpdate=true'];
  const where = link ? linkState(link, cache) : 'theirs';
  if (!link || where === 'theirs') {
    state.rerere = { enabled: false, cache, link: null, note: `the repository has its own rr-cache (${link ?? 'unknown common dir'}); rebase-daily leaves it alone, so resolutions are not remembered` };
    save();
    return fn(off);
  }
  mkdirSync(cache, { recursive: true });
  state.rerere = { enabled: true, cache, link, note: `resolutions are remembered in ${cache} (kept across days)` };
  save();
  if (where === 'absent') symlinkSync(cache, link, 'dir');
  try {
    return await fn(on);
  } finally {
    removeRerereLink(state, config, save);
  }
}
