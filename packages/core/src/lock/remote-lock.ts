import type { Runner } from '../process/process.js';
import { moveBranch } from '../refs/move-branch.js';
import { RemoteLockMetaSchema, type RemoteLockInfo, type RemoteLockMeta } from '../contracts/remote-lock-info.js';

/**
 * The lock the fork remote holds (config `lock.remote: true`): a ref whose commit message is the
 * holder's metadata. The git server's compare-and-swap on a leased push makes it exclusive across
 * hosts with separate clones; the local lock still guards the clone itself.
 */
const MESSAGE_HEAD = 'rebase-daily lock';

/** `refs/rebase-daily/lock/<trunk>` on the fork remote. */
export function remoteLockRef(trunk: string): string {
  return `refs/rebase-daily/lock/${trunk}`;
}

/** The commit message that carries the holder (a subject line, then one `key: value` per field). */
export function formatRemoteLockMessage(meta: RemoteLockMeta): string {
  return `${MESSAGE_HEAD}\n\nhost: ${meta.host}\npid: ${meta.pid}\nrun: ${meta.runId}\nstarted: ${meta.startedAt}\n`;
}

/** Parse a lock commit's message; null when it is not one of ours. */
export function parseRemoteLockMessage(message: string): RemoteLockMeta | null {
  if (!message.startsWith(MESSAGE_HEAD)) return null;
  const field = (key: string) => new RegExp(`^${key}: (.+)$`, 'm').exec(message)?.[1]?.trim();
  const parsed = RemoteLockMetaSchema.safeParse({ host: field('host'), pid: Number(field('pid')), runId: field('run'), startedAt: field('started') });
  return parsed.success ? parsed.data : null;
}

/** "run X on host H (pid P, since T)" */
export function describeRemoteHolder(meta: RemoteLockMeta | null, sha: string): string {
  return meta ? `run ${meta.runId} on host ${meta.host} (pid ${meta.pid}, since ${meta.startedAt})` : `an unreadable lock commit ${sha.slice(0, 12)}`;
}

export interface RemoteLockOptions {
  repo: string;
  remote: string;
  trunk: string;
  meta: RemoteLockMeta;
  staleAfterHours: number;
  forceStale: boolean;
  timeoutMs: number;
  now?: Date;
}

export type RemoteLockResult =
  | { acquired: true; info: RemoteLockInfo; warning: string | null }
  | { acquired: false; info: RemoteLockInfo; message: string; stale: boolean };

/** Who holds the remote lock now: its commit and metadata, or null when the ref is absent. */
export async function readRemoteLock(run: Runner, repo: string, remote: string, trunk: string, timeoutMs: number): Promise<{ sha: string; meta: RemoteLockMeta | null } | null> {
  const ref = remoteLockRef(trunk);
  // Fetched into our own namespace: ls-remote alone cannot read the message.
  const seen = `refs/rebase-daily/remote-lock/${trunk}`;
  const fetched = await run('git', ['fetch', '--quiet', '--no-write-fetch-head', remote, `+${ref}:${seen}`], { cwd: repo, timeoutMs });
  if (fetched.exitCode !== 0) {
    const listed = await run('git', ['ls-remote', '--exit-code', remote, ref], { cwd: repo, timeoutMs });
    // ls-remote exits 2 when the ref does not exist: the lock is free.
    if (listed.exitCode === 2) return null;
    throw new Error(`could not read ${ref} on ${remote}: ${fetched.stderr.trim() || listed.stderr.trim()}`);
  }
  const sha = (await run('git', ['rev-parse', '--verify', '--quiet', seen], { cwd: repo })).stdout.trim();
  const message = await run('git', ['log', '-1', '--format=%B', sha], { cwd: repo });
  // Our own read-only copy: deleted by compare-and-swap through the one ref writer.
  await moveBranch(run, repo, { branch: seen, from: sha, to: null, reason: 'rebase-daily: done reading the remote lock' });
  return { sha, meta: parseRemoteLockMessage(message.stdout) };
}

async function lockCommit(run: Runner, repo: string, trunk: string, meta: RemoteLockMeta): Promise<string> {
  // Any tree the clone has will do (the trunk's): the commit carries only its message.
  const r = await run('git', ['-c', 'user.name=rebase-daily', '-c', 'user.email=rebase-daily@localhost', 'commit-tree', `refs/heads/${trunk}^{tree}`, '-m', formatRemoteLockMessage(meta)], { cwd: repo });
  if (r.exitCode !== 0) throw new Error(`could not create the lock commit: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** A push of `src` to the lock ref that succeeds only if the ref is `expect` ('' = absent). */
async function leasedPush(run: Runner, repo: string, remote: string, ref: string, src: string, expect: string, timeoutMs: number): Promise<boolean> {
  const r = await run('git', ['push', '--porcelain', `--force-with-lease=${ref}:${expect}`, remote, `${src}:${ref}`], { cwd: repo, timeoutMs });
  return r.exitCode === 0;
}

/**
 * Take the fork remote's lock: a push whose lease expects the ref to be absent. When it is held,
 * the holder is named; a lock older than `staleAfterHours` is replaced only with FORCE_STALE_LOCK=1,
 * by a push leased on exactly the stale commit.
 */
export async function acquireRemoteLock(run: Runner, options: RemoteLockOptions): Promise<RemoteLockResult> {
  const { repo, remote, trunk, meta, timeoutMs } = options;
  const ref = remoteLockRef(trunk);
  const sha = await lockCommit(run, repo, trunk, meta);
  const info: RemoteLockInfo = { remote, ref, sha: null, acquired: false, holder: null, released: false };
  // Two tries: a holder that releases between our refused push and our read leaves the ref absent.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await leasedPush(run, repo, remote, ref, sha, '', timeoutMs)) return { acquired: true, info: { ...info, sha, acquired: true }, warning: null };
    const held = await readRemoteLock(run, repo, remote, trunk, timeoutMs);
    if (!held) continue;
    const started = held.meta ? Date.parse(held.meta.startedAt) : Number.NaN;
    const ageHours = Number.isFinite(started) ? ((options.now ?? new Date()).getTime() - started) / 3_600_000 : Number.POSITIVE_INFINITY;
    const stale = ageHours >= options.staleAfterHours;
    const who = describeRemoteHolder(held.meta, held.sha);
    if (stale && options.forceStale) {
      if (await leasedPush(run, repo, remote, ref, sha, held.sha, timeoutMs)) {
        const age = Number.isFinite(ageHours) ? ageHours : -1;
        return {
          acquired: true,
          info: { ...info, sha, acquired: true, holder: held.meta, takenOver: { previous: held.meta, previousSha: held.sha, ageHours: age } },
          warning: `FORCE_STALE_LOCK=1 replaced the stale lock ${ref} on ${remote} held by ${who}${age >= 0 ? ` (${age.toFixed(1)} h old)` : ''}`,
        };
      }
      continue; // someone else replaced or released it first: read again
    }
    const hint = stale
      ? `it is older than lock.staleAfterHours (${options.staleAfterHours} h): if that run is dead, rerun with FORCE_STALE_LOCK=1`
      : 'wait for that run to finish, then rerun';
    return { acquired: false, info: { ...info, holder: held.meta }, stale, message: `the fork remote's lock ${ref} on ${remote} is held by ${who}; ${hint}` };
  }
  return { acquired: false, info, stale: false, message: `the fork remote's lock ${ref} on ${remote} changed hands twice while this run tried to take it; rerun in a minute` };
}

/** Release: a leased delete of exactly our lock commit (never another run's). Returns a problem or null. */
export async function releaseRemoteLock(run: Runner, repo: string, info: RemoteLockInfo, timeoutMs: number): Promise<string | null> {
  if (!info.acquired || !info.sha || info.released) return null;
  const r = await run('git', ['push', '--porcelain', `--force-with-lease=${info.ref}:${info.sha}`, info.remote, `:${info.ref}`], { cwd: repo, timeoutMs });
  if (r.exitCode === 0) {
    info.released = true;
    return null;
  }
  return `could not release the fork remote's lock ${info.ref} on ${info.remote} (it no longer holds this run's commit ${info.sha.slice(0, 12)}, or the remote is unreachable); check it with \`git ls-remote ${info.remote} ${info.ref}\``;
}
