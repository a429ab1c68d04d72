import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { errors, firstLine, gitDir, isAncestor, resolvePaths, revParse, shellQuote, type ResolveState } from '@rebase-daily/core';
import { conflictedFiles } from '../engine/git-ops.js';
import { readRebaseStop } from '../engine/rebase-conflict.js';
import { isRebasing } from '../engine/rebase-state.js';
import { type ResolveEnv, type Resolution } from './lifecycle.js';
import { hasConflictMarkers, parseRerereReused } from './parsers.js';
import { withRerereMemory } from './rerere-memory.js';

/** Where a replay stopped: at a conflict (the state's last stop) or at the end of the queue. */
export type ReplayOutcome = { kind: 'conflict'; position: number } | { kind: 'replayed'; tip: string } | { kind: 'editing'; position: number };

/** The rebase todo: exactly the verify queue (one reader, `readPatchQueue`), oldest first. */
export function todoText(state: ResolveState): string {
  return `${state.queue.map((p) => `pick ${p.sha} ${p.subject.replace(/\n/g, ' ')}`).join('\n')}\n`;
}

/**
 * Replay in the resolution worktree with `git rebase` until a conflict that needs a human hand or
 * the end of the queue. `start` begins an interactive rebase whose todo is the verify queue (the
 * sequence editor copies it in, so rebase's own selection never differs from verify's); `continue`
 * goes on after the agent staged a resolution. A stop whose conflicts rerere resolved completely
 * from a recorded resolution (and left no marker) is continued automatically and recorded.
 */
export async function replay(env: ResolveEnv, r: Resolution, how: 'start' | 'continue', todoOverride?: string): Promise<ReplayOutcome> {
  const { state } = r;
  const wt = state.worktree;
  if (!wt) throw errors.internal('the resolution has no worktree recorded');
  state.phase = 'replaying';
  r.save();
  // diff3 markers carry the merge base, so the conflict view can show base / upstream / patch.
  const common = ['-c', 'merge.conflictStyle=diff3', '-c', 'core.editor=true'];
  const todo = join(resolvePaths(env.config.scratchPath).base, `todo-${state.id}`);
  if (how === 'start') {
    mkdirSync(dirname(todo), { recursive: true });
    // `resolve fixup|edit` hand their own todo (the replayed queue with a `fixup` or `edit` line).
    writeFileSync(todo, todoOverride ?? todoText(state));
  }
  let step: 'start' | 'continue' = how;
  for (;;) {
    const result = await withRerereMemory(env.run, env.config, state, r.save, (rerere) => {
      const args =
        step === 'start'
          ? [...rerere, ...common, 'rebase', '-i', '--empty=drop', '--no-update-refs', '--no-autosquash', '--no-autostash', state.pin!.upstream]
          : [...rerere, ...common, 'rebase', '--continue'];
      return env.run('git', args, { cwd: wt, env: { GIT_SEQUENCE_EDITOR: `cp ${shellQuote(todo)}`, GIT_EDITOR: 'true' } });
    });
    const reused = parseRerereReused(`${result.stdout}\n${result.stderr}`);
    if (!(await isRebasing(env.run, wt))) {
      if (result.exitCode !== 0) throw errors.internal(`git rebase in ${wt} failed without stopping on a conflict (exit ${result.exitCode}): ${firstLine(result.stderr)}`);
      const tip = (await revParse(env.run, wt, 'HEAD'))!;
      state.phase = 'replayed';
      state.replayedTip = tip;
      r.save();
      return { kind: 'replayed', tip };
    }
    const stop = await stoppedAt(env, wt);
    const unmerged = await conflictedFiles(env.run, wt);
    // `resolve edit`: the todo's `edit` line stopped git at the patch to change, with nothing in conflict.
    if (!unmerged.length && !reused.length && state.editing && stop.sha === state.editing.sha) {
      state.phase = 'editing';
      r.save();
      return { kind: 'editing', position: state.editing.position };
    }
    if (!unmerged.length && !reused.length) {
      throw errors.internal(`git rebase stopped at patch ${stop.position ?? '?'} in ${wt} without a conflict (exit ${result.exitCode}): ${firstLine(result.stderr)}; see \`rebase-daily resolve status\``);
    }
    const now = new Date().toISOString();
    const patch = state.queue[(stop.position ?? 0) - 1] ?? { sha: stop.sha ?? '0'.repeat(40), subject: '' };
    const markersLeft = unmerged.length ? [] : await filesWithMarkers(env, wt, reused);
    const fromMemoryOnly = unmerged.length === 0 && markersLeft.length === 0;
    state.stops.push({
      position: stop.position ?? 0,
      patch,
      files: [...new Set([...unmerged, ...reused])].sort(),
      fromMemory: reused,
      resolvedFiles: fromMemoryOnly ? reused : null,
      stoppedAt: now,
      resolvedAt: fromMemoryOnly ? now : null,
    });
    if (fromMemoryOnly) {
      env.progress.info(`resolve: patch ${stop.position}/${state.queue.length} "${patch.subject}": conflict in ${reused.join(', ')} resolved from a recorded resolution (rerere); continuing`);
      r.save();
      step = 'continue';
      continue;
    }
    state.phase = 'conflict';
    r.save();
    return { kind: 'conflict', position: stop.position ?? 0 };
  }
}

/**
 * Has the replay begun in the resolution worktree: a rebase in progress, or HEAD already on the
 * pinned upstream. Not after a kill between `git worktree add` and the start of `git rebase` (or a
 * rebase aborted by hand): the worktree then holds the old trunk, and treating it as replayed would
 * "resolve" by publishing nothing new.
 */
export async function replayBegun(env: ResolveEnv, state: ResolveState): Promise<boolean> {
  const wt = state.worktree;
  if (!wt || !existsSync(wt) || !state.pin) return false;
  if (await isRebasing(env.run, wt)) return true;
  const head = await revParse(env.run, wt, 'HEAD');
  return head !== null && (await isAncestor(env.run, wt, state.pin.upstream, head));
}

/** The stopped patch (full SHA) and its 1-based position in the todo, i.e. the queue. */
export async function stoppedAt(env: ResolveEnv, wt: string): Promise<{ sha: string | null; position: number | null; end: number | null }> {
  const dir = await gitDir(env.run, wt);
  const stop = dir ? readRebaseStop(dir) : { sha: null, msgnum: null, end: null };
  const sha = stop.sha ? ((await revParse(env.run, wt, stop.sha)) ?? stop.sha) : null;
  return { sha, position: stop.msgnum, end: stop.end };
}

/** Staged files (index content) that still hold conflict markers. */
export async function filesWithMarkers(env: ResolveEnv, wt: string, files: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) {
    const shown = await env.run('git', ['show', `:${f}`], { cwd: wt });
    if (shown.exitCode === 0 && hasConflictMarkers(shown.stdout)) out.push(f);
  }
  return out;
}
