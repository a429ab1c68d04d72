import { isSha, type ProcessIO, ReadTimeout, type Runner } from '@rebase-daily/core';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type MergeTreeResult, mergeReplyLength, parseMergeReply, parseMergeTree } from './merge-tree.js';
import type { EngineCallOptions } from './queue.js';

/**
 * Merges for one replay or check: `git merge-tree --write-tree` of a synthetic base commit and a
 * queue commit, over and over, each depending on the last one's tree. Every spawn costs 12–25 ms on
 * this kind of machine, more than most merges, so where it can the session keeps one
 * `git merge-tree --stdin` running and sends it a line per merge.
 *
 * git 2.39 does not flush merge-tree's stdout between merges when it is a pipe, so the conversation
 * runs under `stdbuf -o0` (coreutils). Where stdbuf is missing each merge is its own process. If the
 * first answer does not arrive within FIRST_ANSWER_MS (a git that ignores stdbuf, or a very slow
 * merge), stdin is closed, which makes git finish and print it; the session then falls back to one
 * process per merge, and when the answer came at once (it was buffered) later sessions of this
 * process do not try again. Either way the answers are
 * the same merges: the parity suite runs both.
 */
export interface MergeSession {
  merge(ours: string, theirs: string): Promise<MergeTreeResult>;
  /** Start the long-lived process now (its start-up overlaps other work); no-op without one. */
  warm(): void;
  /** Ends the long-lived process, if any. Idempotent. */
  close(): Promise<void>;
  /** How the merges ran, for the report and the benchmark. */
  readonly mode: 'conversation' | 'one-per-merge';
}

const FIRST_ANSWER_MS = 5_000;
const BUFFERED_ANSWER_MS = 1_000;
/** stdbuf binaries whose conversation gave no timely first answer: not tried again in this process. */
const failedStdbuf = new Set<string>();
const stdbufByPath = new Map<string, string | undefined>();

/** `stdbuf` on the PATH, found without a spawn. */
export function findStdbuf(path = process.env.PATH ?? ''): string | undefined {
  if (!stdbufByPath.has(path)) {
    let found: string | undefined;
    for (const dir of path.split(delimiter).filter(Boolean)) {
      try {
        accessSync(join(dir, 'stdbuf'), constants.X_OK);
        found = join(dir, 'stdbuf');
        break;
      } catch {
        // not here
      }
    }
    stdbufByPath.set(path, found);
  }
  return stdbufByPath.get(path);
}

export interface MergeSessionOptions extends EngineCallOptions {
  /** `conversation` (default where stdbuf exists) or `one-per-merge`; tests force each. */
  mode?: 'conversation' | 'one-per-merge';
  /** How long the first answer may take before the session falls back (default 5 s). */
  firstAnswerMs?: number;
}

export function openMergeSession(run: Runner, repo: string, options: MergeSessionOptions = {}): MergeSession {
  const stdbuf = findStdbuf(options.env?.PATH ?? process.env.PATH);
  let mode: MergeSession['mode'] = options.mode ?? (stdbuf && !failedStdbuf.has(stdbuf) ? 'conversation' : 'one-per-merge');
  if (mode === 'conversation' && !stdbuf) mode = 'one-per-merge';
  const call = { cwd: repo, env: options.env, timeoutMs: options.timeoutMs };

  const oneShot = async (ours: string, theirs: string): Promise<MergeTreeResult> => {
    const m = await run('git', ['merge-tree', '--write-tree', '--name-only', '-z', '--allow-unrelated-histories', ours, theirs], { ...call, raw: true });
    // Exit 1 is a conflict only with a tree printed: a name git cannot merge also exits 1, silently.
    if ((m.exitCode !== 0 && m.exitCode !== 1) || !isSha(m.stdout.slice(0, m.stdout.indexOf('\0'))))
      throw new Error(`git merge-tree failed for ${theirs} (exit ${m.exitCode}): ${m.stderr.trim()}`);
    return parseMergeTree(m.stdout, m.exitCode);
  };

  // The conversation: started on the first merge, ended by close().
  let io: ProcessIO | undefined;
  let finished: Promise<Awaited<ReturnType<Runner>>> | undefined;
  let release: (() => void) | undefined;
  let abort: ((error: unknown) => void) | undefined;
  let answered = false;
  let starting: Promise<ProcessIO> | undefined;
  const start = (): Promise<ProcessIO> => (starting ??= begin());
  const begin = async (): Promise<ProcessIO> => {
    const ready = new Promise<ProcessIO>((resolve) => {
      const done = new Promise<void>((r, j) => {
        release = r;
        abort = j;
      });
      finished = run(stdbuf as string, ['-o0', 'git', 'merge-tree', '--write-tree', '--name-only', '--allow-unrelated-histories', '--stdin'], {
        cwd: repo,
        env: options.env,
        interact: async (handle) => {
          resolve(handle);
          await done;
        },
      });
    });
    io = await ready;
    return io;
  };
  const failure = async (error: unknown): Promise<never> => {
    // Failing the conversation makes the seam kill the process group: a stuck git cannot hold us.
    abort?.(error);
    release = abort = undefined;
    const r = await finished;
    throw new Error(`git merge-tree --stdin failed (exit ${r?.exitCode}): ${r?.stderr.trim() || (error instanceof Error ? error.message : String(error))}`);
  };

  const session: MergeSession = {
    get mode() {
      return mode;
    },
    warm() {
      if (mode === 'conversation') void start();
    },
    async merge(ours, theirs) {
      if (mode === 'one-per-merge') return oneShot(ours, theirs);
      const handle = await start();
      handle.write(`${ours} ${theirs}\n`);
      try {
        const reply = await handle.read(mergeReplyLength, answered ? options.timeoutMs : (options.firstAnswerMs ?? FIRST_ANSWER_MS));
        answered = true;
        return parseMergeReply(reply);
      } catch (error) {
        if (!(error instanceof ReadTimeout) || answered) return failure(error);
        // No first answer yet: closing stdin makes git finish this merge and print it.
        handle.end();
        const closedAt = Date.now();
        let reply: string;
        try {
          reply = await handle.read(mergeReplyLength, options.timeoutMs);
        } catch (again) {
          return failure(again);
        }
        // An answer right after stdin closed was held in a buffer: stdbuf does not work with this
        // git, so later sessions do not try. A late one was a slow merge: only this session gives up.
        if (Date.now() - closedAt < BUFFERED_ANSWER_MS) failedStdbuf.add(stdbuf as string);
        mode = 'one-per-merge';
        await session.close();
        return parseMergeReply(reply);
      }
    },
    async close() {
      release?.();
      release = abort = undefined;
      if (finished) await finished;
    },
  };
  return session;
}
