import { errors, type Config, type RebaseDailyError, type Runner } from '@rebase-daily/core';
import { manifestVersion } from './cargo-manifest.js';
import { compareVersions } from './compare-versions.js';

export type VersionConfig = NonNullable<Config['version']>;

export interface UpstreamVersion {
  version: string;
  /** `tag <name>` or `manifest <path>@<sha>`. */
  from: string;
}

export function versionError(message: string, details: Record<string, unknown> = {}): RebaseDailyError {
  return errors.versionBump(message, details);
}

/** Pick the newest version among tag names matching `pattern` (its first capture group is the version). Pure. */
export function newestTagVersion(tags: string[], pattern: string): { tag: string; version: string } | null {
  const re = new RegExp(pattern);
  const found = tags.flatMap((tag) => {
    const m = re.exec(tag);
    return m && m[1] ? [{ tag, version: m[1] }] : [];
  });
  found.sort((a, b) => compareVersions(b.version, a.version));
  return found[0] ?? null;
}

/**
 * The upstream version at `upstreamSha`: the newest tag matching `tagPattern` reachable from it
 * (source=tag), or the manifest's version in upstream's tree (source=manifest).
 */
export async function upstreamVersion(run: Runner, repo: string, upstreamSha: string, config: VersionConfig): Promise<UpstreamVersion> {
  if (config.source === 'tag') {
    const r = await run('git', ['tag', '--list', '--merged', upstreamSha], { cwd: repo });
    if (r.exitCode !== 0) throw versionError(`could not list tags reachable from ${upstreamSha.slice(0, 12)}: ${r.stderr.split('\n')[0]}`);
    const newest = newestTagVersion(r.stdout.split('\n').filter(Boolean), config.tagPattern);
    if (!newest) {
      throw versionError(`no tag matching ${config.tagPattern} is reachable from upstream ${upstreamSha.slice(0, 12)}; fetch upstream tags (git fetch --tags) or fix version.tagPattern`);
    }
    return { version: newest.version, from: `tag ${newest.tag}` };
  }
  const r = await run('git', ['show', `${upstreamSha}:${config.manifest}`], { cwd: repo });
  if (r.exitCode !== 0) throw versionError(`upstream ${upstreamSha.slice(0, 12)} has no ${config.manifest}; fix version.manifest`);
  let found: ReturnType<typeof manifestVersion>;
  try {
    found = manifestVersion(r.stdout);
  } catch (err) {
    throw versionError(`upstream ${config.manifest} is not valid TOML (${(err as Error).message})`);
  }
  if (!found) throw versionError(`upstream ${config.manifest} declares no [workspace.package] version; use version.source "tag"`);
  return { version: found.version, from: `manifest ${config.manifest}@${upstreamSha.slice(0, 12)}` };
}

/** upstream + suffix, without doubling a suffix upstream already carries. */
export function forkVersionOf(upstream: string, suffix: string): string {
  return upstream.endsWith(suffix) ? upstream : `${upstream}${suffix}`;
}
