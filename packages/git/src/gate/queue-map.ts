import { isAncestor, type ProofCommit, type ProofEntry, type Runner, shortSha } from '@rebase-daily/core';
import { mergeBase } from '../engine/git-ops.js';
import { patchIds, readPatchQueue } from '../engine/patch-queue.js';
import { BUMP_LOG_FORMAT, findSupersededBumps, parseBumpLog } from '../version/superseded-bumps.js';
import type { VersionConfig } from '../version/upstream-version.js';
import { parseRangeDiff } from './range-diff.js';

/** An explicit, recorded decision about one commit: a patch removed from the queue, or a commit added to it. */
export interface QueueDecision {
  sha: string;
  reason: string;
}

export interface QueueMapInput {
  /** The trunk the run started from: its queue is `merge-base(oldTip, upstream)..oldTip`. */
  oldTip: string;
  upstream: string;
  /** The trunk about to be published: its queue is `upstream..newTip`. */
  newTip: string;
  version?: VersionConfig;
  removed?: readonly QueueDecision[];
  added?: readonly QueueDecision[];
}

export interface QueueMap {
  oldBase: string;
  entries: ProofEntry[];
  /** Why the map is not one to one (empty: it is). */
  problems: string[];
}


/** `git log --reverse --no-merges` of `range` with the bump trailer: oldest first. */
async function commitsOf(run: Runner, repo: string, range: string) {
  const r = await run('git', ['log', '--reverse', '--no-merges', `--format=${BUMP_LOG_FORMAT}`, range, '--'], { cwd: repo, raw: true });
  if (r.exitCode !== 0) throw new Error(`git log ${range} failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  return parseBumpLog(r.stdout);
}

/**
 * Does replaying `commit` onto `upstream` change nothing (upstream already has its change)? git 2.39's
 * merge-tree has no --merge-base, so — as the replay engine does — a synthetic commit with upstream's
 * tree and parent `commit^` makes `commit^` the merge base of `merge-tree --write-tree`.
 */
async function emptyOnUpstream(run: Runner, repo: string, commit: string, upstream: string): Promise<boolean> {
  const tree = (await run('git', ['rev-parse', `${upstream}^{tree}`], { cwd: repo })).stdout.trim();
  const identity = { GIT_AUTHOR_NAME: 'rebase-daily', GIT_AUTHOR_EMAIL: 'rebase-daily@localhost', GIT_COMMITTER_NAME: 'rebase-daily', GIT_COMMITTER_EMAIL: 'rebase-daily@localhost' };
  const synthetic = await run('git', ['commit-tree', tree, '-p', `${commit}^`, '-m', 'rebase-daily publish gate: upstream as a child of the patch parent'], { cwd: repo, env: identity });
  if (synthetic.exitCode !== 0) return false;
  const r = await run('git', ['merge-tree', '--write-tree', synthetic.stdout.trim(), commit], { cwd: repo });
  return r.exitCode === 0 && r.stdout.split('\n')[0].trim() === tree;
}

/**
 * The publish gate's first invariant: every patch of the old queue appears exactly once in the new
 * trunk — the same patch-id, or paired by `git range-diff` and named as changed — or is accounted
 * for by proof, not by a path's word: upstream has it (a commit of the same patch-id, or its replay
 * onto upstream is empty), it is a version bump the fresh one supersedes, or an explicit recorded
 * decision removed it. Nothing else may be new except the one fresh bump at the tip (or a commit a
 * recorded decision added).
 */
export async function mapQueue(run: Runner, repo: string, input: QueueMapInput): Promise<QueueMap> {
  const { oldTip, upstream, newTip } = input;
  const oldBase = (await mergeBase(run, repo, upstream, oldTip)) ?? upstream;
  const replayed = !(await isAncestor(run, repo, upstream, oldTip));
  const [olds, news, pq, scan] = await Promise.all([
    commitsOf(run, repo, `${oldBase}..${oldTip}`),
    commitsOf(run, repo, `${upstream}..${newTip}`),
    readPatchQueue(run, repo, upstream, oldTip),
    findSupersededBumps(run, repo, upstream, oldTip, input.version),
  ]);
  const problems: string[] = [];
  // The fresh bump: the tip commit, carrying rebase-daily's trailer, when version bumps are on.
  const tip = news[news.length - 1];
  const bump = input.version && tip?.trailer !== null && tip !== undefined ? tip : null;
  const patches = bump ? news.slice(0, -1) : news;
  const ids = await patchIds(run, repo, [...olds, ...news].map((c) => c.sha));
  const commit = (list: typeof olds, i: number): ProofCommit => ({ position: i + 1, sha: list[i].sha, subject: list[i].subject, patchId: ids.get(list[i].sha) ?? null });
  const find = (list: typeof olds, abbrev: string | null) => (abbrev ? list.findIndex((c) => c.sha.startsWith(abbrev)) : -1);

  const rdTip = bump ? `${bump.sha}^` : newTip;
  const rd = await run('git', ['range-diff', '--no-color', '--creation-factor=100', `${oldBase}..${oldTip}`, `${upstream}..${rdTip}`], { cwd: repo });
  if (rd.exitCode !== 0) throw new Error(`git range-diff failed (exit ${rd.exitCode}): ${rd.stderr.split('\n')[0]}`);
  const entries: ProofEntry[] = [];
  const droppedBy = new Map(pq.dropped.map((d) => [d.sha, d.upstream]));
  const superseded = new Map(scan.superseded.map((s) => [s.sha, s.reason]));
  const removed = new Map((input.removed ?? []).map((d) => [d.sha, d.reason]));
  const added = new Map((input.added ?? []).map((d) => [d.sha, d.reason]));
  for (const e of parseRangeDiff(rd.stdout)) {
    const oi = find(olds, e.oldSha);
    const ni = find(patches, e.newSha);
    const old = oi >= 0 ? commit(olds, oi) : null;
    const neu = ni >= 0 ? commit(patches, ni) : null;
    if (e.status === 'same' || e.status === 'changed') {
      const same = old?.patchId !== null && old?.patchId === neu?.patchId;
      entries.push({ status: same ? 'same' : 'changed', old, new: neu, proof: same ? `patch-id ${shortSha(old!.patchId!)}` : 'paired by git range-diff', rangeDiff: e.diff });
    } else if (e.status === 'dropped' && old) {
      const up = droppedBy.get(old.sha);
      if (up) entries.push({ status: 'dropped-upstream', old, new: null, proof: `upstream ${shortSha(up.sha)} "${up.subject}" has the same patch-id`, rangeDiff: '' });
      else if (superseded.has(old.sha)) entries.push({ status: 'superseded-bump', old, new: null, proof: superseded.get(old.sha)!, rangeDiff: '' });
      else if (removed.has(old.sha)) entries.push({ status: 'removed', old, new: null, proof: `recorded decision: ${removed.get(old.sha)}`, rangeDiff: '' });
      else if (await emptyOnUpstream(run, repo, old.sha, upstream)) entries.push({ status: 'dropped-upstream', old, new: null, proof: `its replay onto upstream ${shortSha(upstream)} is empty`, rangeDiff: '' });
      else problems.push(`patch ${old.position} ${shortSha(old.sha)} "${old.subject}" is not in the new trunk (not upstream, not a superseded bump, no recorded decision: folded or lost)`);
    } else if (e.status === 'added' && neu) {
      if (added.has(neu.sha)) entries.push({ status: 'added', old: null, new: neu, proof: `recorded decision: ${added.get(neu.sha)}`, rangeDiff: '' });
      else problems.push(`extra commit ${shortSha(neu.sha)} "${neu.subject}" is not a patch of the queue`);
    }
  }
  if (bump) entries.push({ status: 'bump', old: null, new: commit(news, news.length - 1), proof: `Rebase-Daily-Bump: ${bump.trailer}`, rangeDiff: '' });
  // After a replay every old bump is superseded: more than one bump commit on the new trunk is one too many.
  const bumps = news.filter((c) => c.trailer !== null);
  if (input.version && replayed && bumps.length > 1) problems.push(`${bumps.length} version bump commits on the new trunk (${bumps.map((b) => shortSha(b.sha)).join(', ')}); a replay leaves exactly one`);
  return { oldBase, entries, problems };
}

