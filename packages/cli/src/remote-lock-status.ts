import { describeRemoteHolder, readRemoteLock, remoteLockRef, type ResolvedConfig, type Runner } from '@rebase-daily/core';

export interface RemoteLockStatus {
  ref: string;
  remote: string;
  held: boolean;
  sha: string | null;
  holder: { host: string; pid: number; runId: string; startedAt: string } | null;
  /** Set when the remote could not be read. */
  problem: string | null;
}

/** Who holds the fork remote's lock (config lock.remote), read from the remote now; null when not configured. */
export async function remoteLockStatus(run: Runner, config: ResolvedConfig, timeoutMs = 30_000): Promise<RemoteLockStatus | null> {
  if (!config.lock.remote) return null;
  const base = { ref: remoteLockRef(config.trunk), remote: config.remotes.fork };
  try {
    const held = await readRemoteLock(run, config.repoPath, config.remotes.fork, config.trunk, timeoutMs);
    return held ? { ...base, held: true, sha: held.sha, holder: held.meta, problem: null } : { ...base, held: false, sha: null, holder: null, problem: null };
  } catch (err) {
    return { ...base, held: false, sha: null, holder: null, problem: (err as Error).message };
  }
}

/** One line for `status`: "remote lock: …". */
export function remoteLockLine(s: RemoteLockStatus): string {
  if (s.problem) return `remote lock: ${s.ref} on ${s.remote} could not be read (${s.problem})`;
  if (!s.held) return `remote lock: free (${s.ref} on ${s.remote})`;
  return `remote lock: ${s.ref} on ${s.remote} held by ${describeRemoteHolder(s.holder, s.sha ?? '')}; \`rebase-daily unlock\` never removes it (the holder's run releases it; a stale one is replaced with FORCE_STALE_LOCK=1)`;
}
