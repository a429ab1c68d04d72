import { existsSync } from 'node:fs';
import { firstLine, errors, resolveErrors, revParse, type ResolveRewrite } from '@rebase-daily/core';
import { isRebasing } from '../engine/rebase-state.js';
import { requireResolution, type Resolution, type ResolveEnv } from './lifecycle.js';
import { replay, stoppedAt, type ReplayOutcome } from './replay.js';

/** One commit of the replayed queue in the resolution worktree. */
interface QueueCommit {
  position: number;
  sha: string;
  subject: string;
}

/**
 * `resolve fixup <patch>`: commit what is staged in the resolution worktree as a fixup of that
 * patch of the replayed queue, and replay the queue with the fixup squashed into it — one `git
 * rebase -i` whose todo the tool writes (`pick …`, `fixup <new commit>` right after the patch),
 * never edited by hand. A semantic fix (a call renamed upstream) lands in the patch it belongs to,
 * and the report attributes it there. A fixup that conflicts with a later patch stops like any
 * conflict (`resolve continue`). The version bump a failed finish wrote is left out: the next
 * finish writes it again.
 */
export async function fixupPatch(env: ResolveEnv, target: string): Promise<{ resolution: Resolution; outcome: ReplayOutcome; rewrite: ResolveRewrite }> {
  const { r, wt, queue, patch } = await rewritable(env, target);
  const staged = (await env.run('git', ['diff', '--cached', '--name-only', '-z', 'HEAD'], { cwd: wt, raw: true })).stdout.split('\0').filter(Boolean);
  if (!staged.length) throw resolveErrors.nothingStaged(wt);
  const commit = await env.run('git', ['commit', '--no-verify', '--no-edit', '-m', `fixup! ${patch.subject}`], { cwd: wt });
  if (commit.exitCode !== 0) throw errors.internal(`git commit in ${wt} failed (exit ${commit.exitCode}): ${firstLine(commit.stderr)}`);
  const fixup = (await revParse(env.run, wt, 'HEAD'))!;
  const todo = queue.map((c) => `pick ${c.sha} ${c.subject}${c.position === patch.position ? `\nfixup ${fixup} fixup! ${c.subject}` : ''}`).join('\n');
  const rewrite: ResolveRewrite = { kind: 'fixup', position: patch.position, subject: patch.subject, before: patch.sha, files: staged, at: new Date().toISOString() };
  return { resolution: r, rewrite, outcome: await rewriteQueue(env, r, rewrite, `${todo}\n`) };
}

/**
 * `resolve edit <patch>`: replay the queue again with the worktree stopped at that patch (a todo
 * `edit` line). Change what the patch needs there, `git add` it, then `resolve continue` amends the
 * patch and replays the rest, as after a conflict. The worktree must be clean first.
 */
export async function editPatch(env: ResolveEnv, target: string): Promise<{ resolution: Resolution; outcome: ReplayOutcome; rewrite: ResolveRewrite }> {
  const { r, wt, queue, patch } = await rewritable(env, target);
  const dirty = (await env.run('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: wt })).stdout.trim();
  if (dirty) throw resolveErrors.notEditable(`the worktree ${wt} has uncommitted changes (${dirty.split('\n').slice(0, 3).join('; ')}); stage them and use \`resolve fixup <patch>\`, or undo them`);
  r.state.editing = { position: patch.position, subject: patch.subject, sha: patch.sha };
  const todo = queue.map((c) => `${c.position === patch.position ? 'edit' : 'pick'} ${c.sha} ${c.subject}`).join('\n');
  const rewrite: ResolveRewrite = { kind: 'edit', position: patch.position, subject: patch.subject, before: patch.sha, files: [], at: new Date().toISOString() };
  return { resolution: r, rewrite, outcome: await rewriteQueue(env, r, rewrite, `${todo}\n`) };
}

/** Record the rewrite, forget the finish it invalidates (range-diff, bump, validation), and replay with the given todo. */
async function rewriteQueue(env: ResolveEnv, r: Resolution, rewrite: ResolveRewrite, todo: string): Promise<ReplayOutcome> {
  const { state } = r;
  state.rewrites = [...(state.rewrites ?? []), rewrite];
  state.finish = null;
  state.replayedTip = null;
  r.save();
  env.progress.info(`resolve: ${rewrite.kind} of patch ${rewrite.position} "${rewrite.subject}"; replaying the queue in ${state.worktree}`);
  return replay(env, r, 'start', todo);
}

/** The resolution, when its queue is replayed and nothing is published yet, with the patch `target` names. */
async function rewritable(env: ResolveEnv, target: string): Promise<{ r: Resolution; wt: string; queue: QueueCommit[]; patch: QueueCommit }> {
  const r = requireResolution(env);
  const { state } = r;
  const wt = state.worktree;
  if (!wt || !existsSync(wt)) throw resolveErrors.worktreeMissing(wt ?? '(none recorded)');
  if (state.phase === 'publishing' || state.phase === 'published') throw resolveErrors.notEditable(`finish already started publishing; run \`resolve finish\` to complete it`);
  if (await isRebasing(env.run, wt)) {
    const at = await stoppedAt(env, wt);
    throw resolveErrors.notEditable(`the replay is stopped at patch ${at.position ?? '?'} of ${at.end ?? state.queue.length}; resolve it and run \`resolve continue\` first`);
  }
  if (state.phase !== 'replayed' && state.phase !== 'finishing') throw resolveErrors.notEditable(`the resolution is ${state.phase}; run \`resolve continue\` until it is replayed`);
  const tip = state.replayedTip ?? (await revParse(env.run, wt, 'HEAD'))!;
  const log = await env.run('git', ['log', '--reverse', '--format=%H%x09%s', `${state.pin!.upstream}..${tip}`], { cwd: wt });
  const queue = log.stdout
    .split('\n')
    .filter(Boolean)
    .map((l, i) => ({ position: i + 1, sha: l.slice(0, 40), subject: l.slice(41) }));
  const patch = findPatch(queue, state.queue, target);
  if (!patch) throw resolveErrors.noPatch(target, queue.length);
  return { r, wt, queue, patch };
}

/**
 * The patch a user names: its position in the replayed queue, its new SHA (prefix), or its SHA in the
 * old queue (prefix; mapped by subject, the replay keeps subjects).
 */
export function findPatch(queue: QueueCommit[], oldQueue: { sha: string; subject: string }[], target: string): QueueCommit | null {
  const t = target.trim().toLowerCase();
  if (/^\d+$/.test(t)) return queue[Number(t) - 1] ?? null;
  if (!/^[0-9a-f]{4,40}$/.test(t)) return null;
  const byNew = queue.filter((c) => c.sha.startsWith(t));
  if (byNew.length === 1) return byNew[0];
  const old = oldQueue.filter((p) => p.sha.startsWith(t));
  if (old.length !== 1) return null;
  const bySubject = queue.filter((c) => c.subject === old[0].subject);
  return bySubject.length === 1 ? bySubject[0] : null;
}
