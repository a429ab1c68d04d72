import { userInfo } from 'node:os';
import {
  boundRunner,
  CommandLog,
  EXIT,
  loadResolveState,
  lockDirFor,
  readLockMeta,
  resolveErrors,
  resolvePaths,
  shellQuote,
  type Outcome,
  type ResolvedConfig,
} from '@rebase-daily/core';
import { abortResolution, continueResolution, editPatch, fixupPatch, resolutionView, startResolution, withResolveStep, type ResolveEnv } from '@rebase-daily/git';
import type { ParsedArgs } from '../args.js';
import { envelope, lockTakenRecord } from '../envelope.js';
import { cliInvocation } from '../locate.js';
import { progressFor, type CliIO } from '../io.js';
import { recordResolveEvent } from '../history/record-resolve.js';
import { emit as emitResolve } from '../emit.js';
import { finishCommand } from './finish.js';
import { renderResolveView } from './render.js';

export const RESOLVE_SUBCOMMANDS = ['start', 'continue', 'fixup', 'edit', 'finish', 'abort', 'status'] as const;
export type ResolveSubcommand = (typeof RESOLVE_SUBCOMMANDS)[number];

function userOf(io: CliIO): string {
  const u = io.env.USER || io.env.LOGNAME;
  if (u) return u;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** The resolve steps' environment: the process seam logging to `<scratch>/rebase-daily/resolve/commands.jsonl`. */
export function resolveEnv(io: CliIO, config: ResolvedConfig): ResolveEnv {
  const log = new CommandLog();
  log.attach(resolvePaths(config.scratchPath).commandLog);
  return { run: boundRunner(log), log, config, progress: progressFor(io), user: userOf(io), cli: cliInvocation(io.env), configFlag: `--config ${shellQuote(config.configPath)}` };
}

/**
 * `rebase-daily resolve start|continue|fixup|edit|finish|abort|status`: agent-owned conflict resolution in a
 * worktree under the scratch dir, under a lock of kind `resolve`. The engine is @rebase-daily/git's
 * src/resolve; this maps it to envelopes, text and exit codes.
 */
export async function resolveCommand(io: CliIO, args: ParsedArgs, config: ResolvedConfig): Promise<number> {
  const sub = args.subcommand as ResolveSubcommand;
  const env = resolveEnv(io, config);
  const name = `resolve ${sub}`;
  if (sub === 'start') {
    const r = await startResolution(env, { authorisedBy: args.authorisedBy?.trim() || null });
    if (r.kind === 'lock-taken') {
      if (!args.json) io.stderr(`rebase-daily: E_LOCK_TAKEN: ${r.message}\n`);
      return emitResolve(io, args, envelope(name, EXIT.lockTaken, 'lock-taken', { lock: { held: true, path: lockDirFor(config.scratchPath), holder: r.holder } }, [lockTakenRecord(r.message)]), '');
    }
    await recordResolveEvent(config, { event: 'start', state: r.state }, env.progress.warn);
    const view = await resolutionView(env, r.state);
    return emitResolve(io, args, envelope(name, EXIT.ok, null, view), renderResolveView(view));
  }
  if (sub === 'continue') {
    const view = await withResolveStep(env, sub, async () => resolutionView(env, (await continueResolution(env)).resolution.state));
    return emitResolve(io, args, envelope(name, EXIT.ok, null, view), renderResolveView(view));
  }
  if (sub === 'fixup' || sub === 'edit') {
    const { resolution } = sub === 'fixup' ? await fixupPatch(env, args.patch ?? '') : await editPatch(env, args.patch ?? '');
    const view = await resolutionView(env, resolution.state);
    return emitResolve(io, args, envelope(name, EXIT.ok, null, view), renderResolveView(view));
  }
  if (sub === 'status') {
    const state = loadResolveState(config.scratchPath);
    if (!state) {
      const holder = readLockMeta(lockDirFor(config.scratchPath));
      const text = `no conflict resolution in progress${holder?.resolve ? ` (but the lock names resolution ${holder.resolve.id}: \`${env.cli} resolve abort ${env.configFlag}\` releases it)` : ''}`;
      return emitResolve(io, args, envelope(name, EXIT.ok, null, null), text);
    }
    const view = await resolutionView(env, state);
    return emitResolve(io, args, envelope(name, EXIT.ok, null, view), renderResolveView(view));
  }
  if (sub === 'abort') {
    const before = loadResolveState(config.scratchPath);
    const r = await withResolveStep(env, sub, () => abortResolution(env));
    if (r.id && before) await recordResolveEvent(config, { event: 'abort', state: before }, env.progress.warn);
    const text = r.id ? `aborted resolution ${r.id}; nothing moved\n${r.actions.map((a) => `- ${a}`).join('\n')}` : 'no conflict resolution in progress; nothing to abort';
    return emitResolve(io, args, envelope(name, EXIT.ok, null, r), text);
  }
  if (sub === 'finish') return withResolveStep(env, sub, () => finishCommand(io, args, env));
  throw resolveErrors.none(env.configFlag);
}

export type { Outcome };
