import type { ResolvedConfig } from '../config/config.js';
import { errors, type RebaseDailyError } from '../errors/errors.js';
import type { Runner } from '../process/process.js';
import { redact } from '../process/redact.js';

/** `git remote get-url [--push] <remote>`; null when the remote does not exist. */
export async function remoteUrl(run: Runner, repo: string, remote: string, push = false): Promise<string | null> {
  const r = await run('git', ['remote', 'get-url', ...(push ? ['--push'] : []), remote], { cwd: repo });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

/** The fetch and push URLs of both configured remotes (null: the remote does not exist). */
export interface RemoteUrls {
  fork: { fetch: string; push: string } | null;
  upstream: { fetch: string; push: string } | null;
}

/** Both configured remotes' URLs, from one `git remote -v` (URL rewrites applied, as `get-url` applies them). */
export async function readRemoteUrls(run: Runner, config: ResolvedConfig): Promise<RemoteUrls> {
  const r = await run('git', ['remote', '-v'], { cwd: config.repoPath });
  const all = parseRemoteVerbose(r.exitCode === 0 ? r.stdout : '');
  return { fork: all.get(config.remotes.fork) ?? null, upstream: all.get(config.remotes.upstream) ?? null };
}

/**
 * Parse `git remote -v`: `<name>\t<url> (fetch|push)` lines. The first push line of a remote is its
 * push URL (what `get-url --push` prints first); a remote without one pushes to its fetch URL. Pure.
 */
export function parseRemoteVerbose(text: string): Map<string, { fetch: string; push: string }> {
  const seen = new Map<string, { fetch?: string; push?: string }>();
  for (const line of text.split('\n')) {
    // A partial clone's fetch line ends with its filter: `origin\t<url> (fetch) [blob:none]`.
    const m = /^(\S+)\t(.*) \((fetch|push)\)(?: \[[^\]]*\])?$/.exec(line);
    if (!m) continue;
    const [, name, url, kind] = m as unknown as [string, string, string, 'fetch' | 'push'];
    const entry = seen.get(name) ?? {};
    entry[kind] ??= url;
    seen.set(name, entry);
  }
  const out = new Map<string, { fetch: string; push: string }>();
  for (const [name, e] of seen) if (e.fetch !== undefined) out.set(name, { fetch: e.fetch, push: e.push ?? e.fetch });
  return out;
}

/** Same repository, written the same way give or take a trailing slash or `.git`. */
export function sameUrl(a: string, b: string): boolean {
  const norm = (u: string) => u.trim().replace(/\/+$/, '').replace(/\.git$/, '');
  return norm(a) !== '' && norm(a) === norm(b);
}

/**
 * The one definition of "the remotes would let a push reach upstream", used by the preflight of
 * every run and by `doctor`: the fork remote pushing to upstream's URL, or the upstream remote
 * pushing where the fork pushes (remotes mixed up). Both are config errors (E_CONFIG, exit 2)
 * whose fix names the remote to change. URLs in the message are redacted.
 */
export function pushUrlProblem(config: ResolvedConfig, urls: RemoteUrls): RebaseDailyError | null {
  const { fork: forkName, upstream: upName } = config.remotes;
  const { fork, upstream } = urls;
  if (!fork || !upstream) return null;
  const repo = config.repoPath;
  const forkToUpstream = sameUrl(fork.push, upstream.fetch);
  const upstreamToFork = sameUrl(upstream.push, fork.push);
  if (sameUrl(fork.fetch, upstream.fetch) && (forkToUpstream || upstreamToFork)) {
    return errors.config(
      `remotes "${forkName}" and "${upName}" are the same repository (${redact(fork.fetch)}); point remotes.fork at your fork (\`git -C ${repo} remote set-url ${forkName} <your fork's URL>\`) and disable pushing upstream (\`git -C ${repo} remote set-url --push ${upName} no_push\`)`,
      { field: 'remotes', remote: forkName, url: redact(fork.fetch) },
    );
  }
  if (forkToUpstream) {
    return errors.config(
      `the fork remote "${forkName}" pushes to ${redact(fork.push)}, the upstream remote "${upName}"'s URL; rebase-daily never pushes upstream: \`git -C ${repo} remote set-url --push ${forkName} <your fork's URL>\`, or fix remotes.fork in the config`,
      { field: 'remotes.fork', remote: forkName, url: redact(fork.push) },
    );
  }
  if (upstreamToFork) {
    return errors.config(
      `the upstream remote "${upName}" pushes to ${redact(upstream.push)}, the fork remote "${forkName}"'s push URL; disable pushing upstream: \`git -C ${repo} remote set-url --push ${upName} no_push\``,
      { field: 'remotes.upstream', remote: upName, url: redact(upstream.push) },
    );
  }
  return null;
}

/** Preflight's check: throws E_CONFIG (exit 2) when a push could reach upstream. */
export async function assertPushUrlsSafe(run: Runner, config: ResolvedConfig, urls?: RemoteUrls): Promise<void> {
  const problem = pushUrlProblem(config, urls ?? (await readRemoteUrls(run, config)));
  if (problem) throw problem;
}
