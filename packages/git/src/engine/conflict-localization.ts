import type { Runner } from '@rebase-daily/core';
import { localizeConflict, type ConflictLocalization, type UpstreamCommitRef } from './index.js';
import { shortSha } from '@rebase-daily/core';


/** The localization as it goes into `conflict.localization` (plain JSON for the report and `--json`). */
export interface LocalizationRecord {
  /** One readable line (the report shows it as is). */
  summary: string;
  /** The queue's current base and the upstream target; first-parent upstream commits between them. */
  base: string;
  target: string;
  upstreamCount: number;
  /** Newest upstream commit the whole queue replays onto (`index` -1 = the current base: none). */
  lastClean: UpstreamCommitRef;
  /** First upstream commit onto which the queue no longer replays. */
  firstBreaking: UpstreamCommitRef;
  /** Upstream commits after lastClean, up to and including the target (what is left to absorb). */
  remaining: number;
  /** The queue commit that conflicts with firstBreaking, and on which files. */
  patch: { sha: string; subject: string };
  files: string[];
  /** Other upstream commits in base..target that touched those files (newest first). */
  otherTouching: { sha: string; subject: string }[];
  /** Replays the bisection performed (at most ⌈log2 n⌉+1). */
  replays: number;
}

/** Turn the engine's localization into the record the conflict carries; null when it found the queue clean. */
export function localizationRecord(loc: ConflictLocalization): LocalizationRecord | null {
  if (loc.clean || !loc.lastClean || !loc.firstBreaking || !loc.patch) return null;
  const files = loc.files ?? [];
  const firstBreaking = loc.firstBreaking;
  const otherTouching = (loc.touching ?? []).filter((c) => c.sha !== firstBreaking.sha);
  const lastClean = loc.lastClean;
  const remaining = loc.upstreamCount - 1 - lastClean.index;
  const cleanText =
    lastClean.index < 0
      ? `none of the ${loc.upstreamCount} new upstream commit(s) takes the whole queue (it breaks on the first)`
      : `last clean upstream commit ${shortSha(lastClean.sha)} "${lastClean.subject}" (${lastClean.index + 1} of ${loc.upstreamCount})`;
  const others = otherTouching.length
    ? `; other upstream commits touching ${files.length === 1 ? 'it' : 'them'}: ${otherTouching
        .slice(0, 5)
        .map((c) => `${shortSha(c.sha)} "${c.subject}"`)
        .join(', ')}${otherTouching.length > 5 ? ` and ${otherTouching.length - 5} more` : ''}`
    : '';
  const summary =
    `${cleanText}; first breaking ${shortSha(firstBreaking.sha)} "${firstBreaking.subject}" — patch ${shortSha(loc.patch.sha)} "${loc.patch.subject}" ` +
    `conflicts with it in ${files.join(', ') || 'unknown files'}${others} (${loc.replays} replays)`;
  return {
    summary,
    base: loc.base,
    target: loc.target,
    upstreamCount: loc.upstreamCount,
    lastClean,
    firstBreaking,
    remaining,
    patch: { sha: loc.patch.sha, subject: loc.patch.subject },
    files,
    otherTouching,
    replays: loc.replays,
  };
}

/**
 * Localize a conflict for the report: bisect the first-parent upstream commits between the queue's
 * base and `target` (see localizeConflict). Localization is a diagnosis, never a reason to fail the
 * stage: an error comes back as a warning line.
 */
export async function localizeForReport(
  run: Runner,
  repo: string,
  trunk: string,
  target: string,
  skip?: ReadonlySet<string>,
): Promise<{ record: LocalizationRecord | null; warning?: string }> {
  try {
    return { record: localizationRecord(await localizeConflict(run, repo, { trunk, target, skip })) };
  } catch (err) {
    return { record: null, warning: `conflict localization failed: ${(err as Error).message.split('\n')[0]}` };
  }
}
