import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { revParse, type ResolveState, type ResolveView, type UpstreamTouch } from '@rebase-daily/core';
import { conflictedFiles } from '../engine/git-ops.js';
import { isRebasing } from '../engine/rebase-state.js';
import type { ResolveEnv } from './lifecycle.js';
import { conflictKind, parseConflictHunks, parseTouchLog, parseUnmergedStages, TOUCH_LOG_FORMAT } from './parsers.js';
import { resolutionGates } from './gates.js';
import { replayBegun, stoppedAt } from './replay.js';

/** Bounds that keep a conflict view readable in a chat: lines per excerpt, hunks per file, upstream commits. */
export const VIEW_LIMITS = { lines: 40, hunks: 8, commits: 20, stageLines: 20 } as const;

/**
 * Where a resolution stands, read from git and the state file — never from the state alone, so it
 * is the truth after a crash: is a rebase stopped in the worktree, at which patch, which files are
 * still unmerged, where the trunk and mirror are now. At a conflict it carries the patch, the
 * conflicting files with bounded base / upstream / patch excerpts, and the upstream commits since
 * the old base that touched those files.
 */
export async function resolutionView(env: ResolveEnv, state: ResolveState): Promise<ResolveView> {
  const { run, config } = env;
  const wt = state.worktree;
  const worktreeExists = Boolean(wt && existsSync(wt));
  const rebasing = worktreeExists ? await isRebasing(run, wt!) : false;
  const unmerged = rebasing ? await conflictedFiles(run, wt!) : [];
  const stop = rebasing ? await stoppedAt(env, wt!) : null;
  // The state is written before each git step; git says how far the step got (a crash in between).
  const early = state.phase === 'starting' || state.phase === 'replaying' || state.phase === 'conflict';
  // A kill between `git worktree add` and the start of `git rebase`: the worktree holds the old trunk.
  const notBegun = worktreeExists && !rebasing && early && !(await replayBegun(env, state));
  const replayDone = worktreeExists && !rebasing && !notBegun && (state.phase === 'replaying' || state.phase === 'conflict');
  const phase = notBegun ? 'starting' : replayDone ? 'replayed' : rebasing && state.phase === 'replaying' ? (unmerged.length ? 'conflict' : 'replaying') : state.phase;
  const position = stop?.position ?? (state.replayedTip || replayDone ? state.queue.length : (state.stops.at(-1)?.position ?? null));
  const warnings = [...state.warnings];
  if (rebasing && state.phase === 'replaying' && !unmerged.length) warnings.push('a replay step was interrupted (git stopped with nothing left to resolve); `resolve continue` completes it');
  if (notBegun) warnings.push(`the replay has not begun: ${wt} still holds ${config.trunk} as it was (interrupted before \`git rebase\` started); \`resolve continue\` starts it`);
  if (phase !== state.phase) warnings.push(`the state file says ${state.phase}, git says ${phase} (a step was interrupted); \`resolve continue\` records it`);
  const view: ResolveView = {
    id: state.id,
    phase,
    authorisedBy: state.authorisedBy,
    pin: state.pin,
    worktree: wt,
    branch: state.branch,
    worktreeExists,
    position,
    queueLength: state.queue.length,
    rebaseInProgress: rebasing,
    filesInConflict: unmerged,
    conflict: null,
    refsNow: {
      trunk: await revParse(run, config.repoPath, `refs/heads/${config.trunk}`),
      mirror: await revParse(run, config.repoPath, `refs/heads/${config.mirror}`),
    },
    rerere: { enabled: state.rerere.enabled, note: state.rerere.note },
    reappliedFromMemory: state.stops.filter((s) => s.fromMemory.length).map((s) => ({ position: s.position, patch: s.patch.sha, files: s.fromMemory })),
    lastFinish: state.finish && (state.finish.validation?.status === 'failed' || resolutionGates(state).some((g) => !g.accepted)) ? { validation: state.finish.validation, gates: resolutionGates(state) } : null,
    editing: state.phase === 'editing' ? (state.editing ?? null) : null,
    next: [],
    warnings,
  };
  const last = state.stops.at(-1);
  const open = unmerged.length > 0 || (last !== undefined && last.position === stop?.position && !last.resolvedAt);
  if (rebasing && open && stop?.sha && wt) {
    const files = unmerged.length ? unmerged : (last?.files ?? []);
    view.conflict = {
      patch: await patchOf(env, wt, stop.sha),
      files: await conflictFiles(env, wt, files, new Set(last?.position === stop.position ? last.fromMemory : [])),
      ...(await upstreamTouches(env, state, files)),
    };
  }
  view.next = nextCommands(env, view);
  return view;
}

async function patchOf(env: ResolveEnv, wt: string, sha: string) {
  const r = await env.run('git', ['log', '-1', '--format=%s%x00%an <%ae>%x00%B', sha], { cwd: wt });
  const [subject, author, message] = r.stdout.split('\0');
  return { sha, subject: subject ?? '', author: author ?? '', message: (message ?? '').trimEnd() };
}

async function conflictFiles(env: ResolveEnv, wt: string, files: string[], fromMemory: Set<string>) {
  const ls = await env.run('git', ['ls-files', '-u', '-z', '--', ...files], { cwd: wt, raw: true });
  const stages = parseUnmergedStages(ls.stdout);
  const out = [];
  for (const path of files) {
    const st = stages.get(path) ?? [];
    const full = join(wt, path);
    const text = existsSync(full) ? readFileSync(full, 'utf8') : '';
    const all = text.includes('\0') ? [] : parseConflictHunks(text, VIEW_LIMITS.lines);
    let stageExcerpts: Record<string, string[]> | null = null;
    if (!all.length && st.length) {
      stageExcerpts = {};
      const names: Record<number, string> = { 1: 'base', 2: 'upstream', 3: 'patch' };
      for (const n of st) {
        const shown = await env.run('git', ['show', `:${n}:${path}`], { cwd: wt });
        stageExcerpts[names[n]] = shown.stdout.includes('\0') ? ['(binary)'] : shown.stdout.split('\n').slice(0, VIEW_LIMITS.stageLines);
      }
    }
    out.push({
      path,
      stages: st,
      kind: st.length ? conflictKind(st) : 'resolved',
      hunks: all.slice(0, VIEW_LIMITS.hunks),
      moreHunks: Math.max(0, all.length - VIEW_LIMITS.hunks),
      stageExcerpts,
      fromMemory: fromMemory.has(path),
    });
  }
  return out;
}

/** Upstream commits since the old base that touched `files`, newest first, with their per-file diff stat. */
async function upstreamTouches(env: ResolveEnv, state: ResolveState, files: string[]): Promise<{ upstreamCommits: UpstreamTouch[]; moreUpstreamCommits: number }> {
  const pin = state.pin;
  if (!pin || !files.length) return { upstreamCommits: [], moreUpstreamCommits: 0 };
  const range = pin.base ? `${pin.base}..${pin.upstream}` : pin.upstream;
  const cwd = env.config.repoPath;
  const [log, count] = await Promise.all([
    env.run('git', ['log', `--max-count=${VIEW_LIMITS.commits}`, `--format=${TOUCH_LOG_FORMAT}`, '--numstat', range, '--', ...files], { cwd }),
    env.run('git', ['rev-list', '--count', range, '--', ...files], { cwd }),
  ]);
  const commits = parseTouchLog(log.stdout);
  const total = Number.parseInt(count.stdout.trim(), 10) || commits.length;
  return { upstreamCommits: commits, moreUpstreamCommits: Math.max(0, total - commits.length) };
}

function nextCommands(env: ResolveEnv, v: ResolveView): string[] {
  const rd = (sub: string) => `${env.cli} resolve ${sub} ${env.configFlag}`;
  if (!v.worktreeExists && v.phase !== 'published') return [rd('abort'), `${env.cli} resolve start ${env.configFlag}`];
  const patchOf = (p: number | string) => `${env.cli} resolve fixup ${p} ${env.configFlag}`;
  if (v.rebaseInProgress && v.phase === 'editing' && v.editing) {
    return [`cd ${v.worktree}`, `# change what patch ${v.editing.position} "${v.editing.subject}" needs, then: git add -- <files>`, `${rd('continue')}    # amends patch ${v.editing.position} and replays the rest`, `${rd('abort')}    # give up: nothing moved`];
  }
  if (v.rebaseInProgress) {
    const files = v.filesInConflict.length ? v.filesInConflict : (v.conflict?.files.map((f) => f.path) ?? []);
    return [`cd ${v.worktree}`, `# edit ${files.join(', ') || 'the conflicting files'}, then: git add -- ${files.join(' ')}`, rd('continue'), `${rd('abort')}    # give up: nothing moved`];
  }
  if (v.phase === 'starting') return [`${rd('continue')}    # starts the replay`, `${rd('abort')}    # give up: nothing moved`];
  if (v.phase === 'publishing' || v.phase === 'published') return [`${rd('finish')}    # completes the interrupted finish`, `${rd('abort')}    # puts local refs back if nothing was published`];
  const held = v.lastFinish?.gates.filter((g) => !g.accepted) ?? [];
  if (v.lastFinish?.validation?.status === 'failed') {
    return [
      `# ${v.lastFinish.validation.summary}`,
      `cd ${v.worktree}    # fix the patch that broke it there; never rewrite history by hand`,
      `git add -- <files> && ${patchOf('<patch>')}    # squash the staged fix into that patch (position or SHA)`,
      `${env.cli} resolve edit <patch> ${env.configFlag}    # or: stop at that patch, change it, git add, then resolve continue`,
      `${rd('finish')}    # validate again, then publish with leases`,
      `${rd('abort')}    # give up: nothing moved`,
    ];
  }
  if (held.length) {
    return [
      `# escalation gate(s) held: ${held.map((g) => `${g.name} (${g.detail})`).join('; ')}`,
      `${rd('finish')} ${held.map((g) => `--accept ${g.name}`).join(' ')} --reason "<the human's decision>"    # only a human accepts a gate`,
      `${env.cli} resolve edit <patch> ${env.configFlag}    # or change the resolution so the gate no longer applies`,
      `${rd('abort')}    # give up: nothing moved`,
    ];
  }
  return [`${rd('finish')}    # range-diff, version bump, validate, then publish with leases`, `${env.cli} resolve fixup|edit <patch> ${env.configFlag}    # change any patch of the queue first`, `${rd('abort')}    # give up: nothing moved`];
}
