import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/config.js';
import { lsRemoteBranch, revParse } from '../process/git-basics.js';
import { moveBranch, moveFailureText } from '../refs/move-branch.js';
import { runPaths } from '../config/paths.js';
import { writeJsonAtomic } from '../contracts/state-file.js';
import type { Runner } from '../process/process.js';
import { shortSha } from '../process/sha.js';
import { CANDIDATE_REF_PREFIX, candidateRef, type Candidate } from '../contracts/publish-data.js';
import type { RunState } from '../contracts/run-state.js';

const short = (sha: string | null) => shortSha(sha, '(absent)');

/** Candidates whose ref this run may have moved and not published. */
export function unpublished(candidates: readonly Candidate[]): Candidate[] {
  return candidates.filter((c) => (c.status === 'recorded' || c.status === 'moved') && c.to !== null && c.to !== c.from);
}

/**
 * Move `refs/heads/<branch>` from `to` back to `from` (delete when `from` is null) with core's
 * `moveBranch`: compare-and-swap, and a worktree that has it checked out follows or the branch stays
 * at `to`. Returns null, or the problem (moveBranch's one wording, with the command that finishes the job).
 */
export async function moveBranchBack(run: Runner, repo: string, branch: string, to: string, from: string | null, reason: string): Promise<string | null> {
  const m = await moveBranch(run, repo, { branch, from: to, to: from, reason });
  return m.ok ? null : `could not move ${branch} back to ${short(from)}: ${moveFailureText(m)}`;
}

export interface UndoOutcome {
  actions: string[];
  problems: string[];
  undone: Candidate[];
  /** Commands a human runs to look at the kept candidates. */
  nextActions: string[];
}

/**
 * Undo what a run moved and did not publish: keep each candidate as
 * `refs/rebase-daily/candidates/<runId>/<branch>`, then move the branch back to where the run found
 * it (compare-and-swap; a branch someone else moved since is left alone and reported). Files the
 * run recorded (Graphite's metadata database) are put back. Mutates the candidates' status.
 */
export async function undoCandidates(run: Runner, repo: string, runId: string, candidates: Candidate[], files: RunState['undoFiles']): Promise<UndoOutcome> {
  const out: UndoOutcome = { actions: [], problems: [], undone: [], nextActions: [] };
  // Descendants first, then the trunk, then the mirror: the reverse of the order they moved in.
  const order = { descendant: 0, trunk: 1, mirror: 2 } as const;
  const todo = unpublished(candidates).sort((a, b) => order[a.role] - order[b.role]);
  for (const c of todo) {
    const to = c.to as string;
    const local = await revParse(run, repo, `refs/heads/${c.branch}`);
    if (local !== to) {
      if (c.status === 'moved') out.problems.push(`${c.branch} is at ${short(local)}, not at this run's candidate ${short(to)}: left as it is`);
      c.status = 'undone';
      continue;
    }
    const kept = candidateRef(runId, c.branch);
    const keep = await moveBranch(run, repo, { branch: kept, from: null, to, reason: 'rebase-daily: keep the unpublished candidate' });
    const problem = await moveBranchBack(run, repo, c.branch, to, c.from, 'rebase-daily: move back the unpublished candidate');
    if (problem) {
      out.problems.push(problem);
      continue;
    }
    c.status = 'undone';
    c.keptAs = keep.ok ? kept : null;
    out.undone.push({ ...c });
    out.actions.push(`moved ${c.branch} back ${short(to)} → ${short(c.from)} (not published${c.keptAs ? `; candidate kept as ${kept}` : ''})`);
  }
  if (out.undone.some((c) => c.role === 'descendant')) {
    for (const f of files) {
      try {
        if (existsSync(f.backup)) {
          copyFileSync(f.backup, f.path);
          out.actions.push(`restored ${f.path} from before the restack`);
        }
      } catch (err) {
        out.problems.push(`could not restore ${f.path} from ${f.backup}: ${(err as Error).message}`);
      }
    }
  }
  for (const c of out.undone) {
    if (!c.keptAs) continue;
    out.nextActions.push(`Inspect the unpublished ${c.role} ${c.branch}: git log --oneline ${c.from ?? ''}${c.from ? '..' : ''}${c.keptAs}`);
  }
  const trunk = out.undone.find((c) => c.role === 'trunk' && c.keptAs);
  if (trunk) out.nextActions.push(`Check it out without moving any branch: git worktree add --detach ../candidate-${runId} ${trunk.keptAs}`);
  return out;
}

/**
 * Recovery at the start of a run (the lock is held, so no other run is alive): a run that crashed
 * after moving a ref and before publishing it left its candidates `recorded`/`moved`. Each local
 * branch still at such a candidate is moved back to where that run found it; one the fork remote
 * already has (the push went through, the record did not) is left as it is; one that is anywhere
 * else was not made by the tool and is never touched. Returns one line per thing found.
 */
export async function recoverCrashedCandidates(run: Runner, config: ResolvedConfig, ownRunId: string, timeoutMs = 120_000): Promise<{ found: string[]; problems: string[] }> {
  const found: string[] = [];
  const problems: string[] = [];
  const dir = runPaths(config.scratchPath).runsDir;
  if (!existsSync(dir)) return { found, problems };
  for (const runId of readdirSync(dir).sort()) {
    if (runId === ownRunId) continue;
    const file = runPaths(config.scratchPath, runId).state;
    if (!existsSync(file)) continue;
    let state: { finishedAt?: string | null; candidates?: Candidate[]; undoFiles?: RunState['undoFiles'] };
    try {
      state = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    if (state.finishedAt || !state.candidates || unpublished(state.candidates).length === 0) continue;
    const candidates = state.candidates.map((c) => ({ ...c, keptAs: c.keptAs ?? null }));
    for (const c of unpublished(candidates)) {
      const local = await revParse(run, config.repoPath, `refs/heads/${c.branch}`);
      if (local !== c.to) continue;
      const remote = c.publish ? await lsRemoteBranch(run, config.repoPath, config.remotes.fork, c.branch, timeoutMs) : null;
      if (remote === undefined) {
        problems.push(`run ${runId} left ${c.branch} at its unpublished candidate ${short(c.to)}; could not reach ${config.remotes.fork} to check it: rerun when it is reachable`);
        c.status = 'moved';
        continue;
      }
      if (remote === c.to) {
        c.status = 'published';
        found.push(`${c.branch} at ${short(c.to)}: published by crashed run ${runId} before it could record it (left as it is)`);
      }
    }
    const undo = await undoCandidates(run, config.repoPath, runId, candidates, state.undoFiles ?? []);
    for (const c of undo.undone) found.push(`${c.branch} moved back ${short(c.to)} → ${short(c.from)}: run ${runId} moved it and crashed before publishing (candidate kept as ${c.keptAs})`);
    problems.push(...undo.problems);
    // The crashed run's record now says what happened to its candidates, so no later run acts twice.
    writeJsonAtomic(file, { ...state, candidates });
  }
  return { found, problems };
}

/** Age of a run from its id (`20261127T080102Z-…`), in days; null when the id carries no date. */
export function runIdAgeDays(runId: string, now = new Date()): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(runId);
  if (!m) return null;
  const t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return (now.getTime() - t) / 86_400_000;
}

/** Delete kept candidates older than `maxAgeDays` (only refs under refs/rebase-daily/candidates/). */
export async function pruneCandidateRefs(run: Runner, repo: string, maxAgeDays = 14, now = new Date()): Promise<string[]> {
  const r = await run('git', ['for-each-ref', '--format=%(objectname) %(refname)', CANDIDATE_REF_PREFIX], { cwd: repo });
  const pruned: string[] = [];
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const [sha, ref] = line.split(' ');
    if (!ref?.startsWith(CANDIDATE_REF_PREFIX)) continue;
    const age = runIdAgeDays(ref.slice(CANDIDATE_REF_PREFIX.length).split('/')[0]!, now);
    if (age === null || age <= maxAgeDays) continue;
    const d = await moveBranch(run, repo, { branch: ref, from: sha!, to: null, reason: 'rebase-daily: prune an old kept candidate' });
    if (d.ok) pruned.push(`candidate ${ref} (${Math.floor(age)} days old, pruned)`);
  }
  return pruned;
}

/** Saved copy of a file the run is about to change, for `recordUndoFile`. */
export function backupFile(path: string, runDir: string, name: string): string | null {
  if (!existsSync(path)) return null;
  mkdirSync(join(runDir, 'undo'), { recursive: true });
  const backup = join(runDir, 'undo', name);
  writeFileSync(backup, readFileSync(path), { flag: 'w' });
  return backup;
}

/**
 * For `publish` run on its own: the candidates the last run left moved and unpublished (`kept`),
 * as long as every local branch is still at its candidate — otherwise someone moved it, and
 * nothing is adopted.
 */
export async function adoptKeptCandidates(run: Runner, config: ResolvedConfig): Promise<Candidate[]> {
  const file = runPaths(config.scratchPath).lastCandidates;
  if (!existsSync(file)) return [];
  let kept: Candidate[];
  try {
    kept = (JSON.parse(readFileSync(file, 'utf8')) as { candidates: Candidate[] }).candidates.filter((c) => c.status === 'kept');
  } catch {
    return [];
  }
  for (const c of kept) if ((await revParse(run, config.repoPath, `refs/heads/${c.branch}`)) !== c.to) return [];
  return kept.map((c) => ({ ...c, status: 'moved' as const, keptAs: null }));
}
