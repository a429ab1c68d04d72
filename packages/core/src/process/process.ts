import { execa } from 'execa';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { redact, redactArgv, redactFile } from './redact.js';
import { ensureWatchdog, PROCESS_TOKEN_ENV, processToken } from './watchdog.js';

/** The one result shape for every external command, success or failure. */
export interface CommandResult {
  command: string;
  args: string[];
  cwd: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  /** Set when the process could not be started at all (ENOENT, EACCES). */
  spawnError?: string;
  signal?: string;
}

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  input?: string;
  /** Stream stdout+stderr to this file as the command runs (cargo test logs). */
  logFile?: string;
  /** Keep stdout untrimmed (binary-ish output such as cat-file --batch). */
  raw?: boolean;
  /** Do not record this call in the command log (used by the log itself). */
  quiet?: boolean;
  /** Kill the command when this aborts (SIGINT/SIGTERM of the run). */
  signal?: AbortSignal;
  /**
   * Talk to a long-lived command (`git merge-tree --stdin`): called once the command has started,
   * with its stdin and stdout; when the returned promise settles, stdin is closed and the command's
   * exit awaited as usual. A rejection kills the command and shows in the result as a failure.
   * `stdout` of the result still holds everything the command printed.
   */
  interact?: (io: ProcessIO) => Promise<void>;
}

/** The conversation handle `RunOptions.interact` gets. */
export interface ProcessIO {
  /** Write to the command's stdin. */
  write(data: string): void;
  /**
   * The next complete message on stdout: `complete(pending)` returns the length of a complete
   * message at the start of the unread output, or -1 while it is incomplete. Rejects when the
   * command ends first, or after `timeoutMs` (the command keeps running then).
   */
  read(complete: (pending: string) => number, timeoutMs?: number): Promise<string>;
  /** Close stdin: the command finishes what it was given and exits. */
  end(): void;
}

/** Stdout as it arrives, handed out message by message (see ProcessIO.read). */
class OutputReader {
  all = '';
  private pending = '';
  private closed = false;
  private readonly decoder = new StringDecoder('utf8');
  private wake: (() => void) | undefined;
  push(chunk: Buffer): void {
    const text = this.decoder.write(chunk);
    this.all += text;
    this.pending += text;
    this.wake?.();
  }
  close(): void {
    const rest = this.decoder.end();
    this.all += rest;
    this.pending += rest;
    this.closed = true;
    this.wake?.();
  }
  async read(complete: (pending: string) => number, timeoutMs?: number): Promise<string> {
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    for (;;) {
      const n = complete(this.pending);
      if (n >= 0) {
        const message = this.pending.slice(0, n);
        this.pending = this.pending.slice(n);
        return message;
      }
      if (this.closed) throw new Error('the command ended before answering');
      const left = deadline === undefined ? undefined : deadline - Date.now();
      if (left !== undefined && left <= 0) throw new ReadTimeout(timeoutMs ?? 0);
      await new Promise<void>((resolve) => {
        const timer = left === undefined ? undefined : setTimeout(resolve, left);
        this.wake = () => {
          if (timer) clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
  }
}

/** ProcessIO.read gave up waiting (the command may just be slow; it is still running). */
export class ReadTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms`);
  }
}

export interface CommandLogEntry {
  /** Pairs this entry with the `start` line written to the log file before the command ran. */
  id?: string;
  at: string;
  argv: string[];
  cwd: string;
  exitCode: number;
  durationMs: number;
  timedOut: boolean;
  stderr?: string;
}

/** The line written to the log file before a command starts; its end entry carries the same id. */
export interface CommandStartEntry {
  id: string;
  at: string;
  event: 'start';
  argv: string[];
  cwd: string;
}

let commandCounter = 0;

/**
 * A run's command log: every call made through the seam, redacted, kept in memory and appended to
 * a JSONL file when one is attached. With a file, each command's `start` line is written (synchronously)
 * before the command is spawned: a run killed mid-command leaves a start without an end, which
 * tells the next run what was in flight (a push that may have landed, a git that held index.lock).
 */
export class CommandLog {
  readonly entries: CommandLogEntry[] = [];
  file: string | undefined;
  constructor(file?: string) {
    this.file = file;
  }
  /** Record that a command is about to start (file only); returns the id its end entry carries. */
  start(command: string, args: readonly string[], cwd: string): string {
    const id = `${process.pid}-${++commandCounter}`;
    if (this.file) {
      const entry: CommandStartEntry = { id, at: new Date().toISOString(), event: 'start', argv: redactArgv([command, ...args]), cwd };
      this.append(entry);
    }
    return id;
  }
  private append(entry: object): void {
    if (!this.file) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
    } catch {
      // The log is best effort: a full disk must not turn a clean run into a crash.
    }
  }
  attach(file: string): void {
    this.file = file;
    mkdirSync(dirname(file), { recursive: true });
    for (const entry of this.entries) appendFileSync(file, `${JSON.stringify(entry)}\n`);
  }
  record(result: CommandResult, id?: string): void {
    const entry: CommandLogEntry = {
      ...(id ? { id } : {}),
      at: new Date().toISOString(),
      argv: redactArgv([result.command, ...result.args]),
      cwd: result.cwd,
      exitCode: result.exitCode,
      durationMs: result.durationMs,
      timedOut: result.timedOut,
    };
    if (result.exitCode !== 0 && result.stderr) entry.stderr = redact(result.stderr.slice(0, 2000));
    this.entries.push(entry);
    this.append(entry);
  }
}

let defaultLog: CommandLog | undefined;
/** The process-wide command log used when a caller passes none. */
export function globalCommandLog(): CommandLog {
  defaultLog ??= new CommandLog();
  return defaultLog;
}

/**
 * The process seam. Every git, gt, cargo and just call goes through here: arguments are an array
 * (never a shell string), cwd is explicit, the result never throws, and the call is logged.
 */
export async function run(command: string, args: readonly string[], options: RunOptions, log: CommandLog = globalCommandLog()): Promise<CommandResult> {
  const started = performance.now();
  const env = { ...process.env, ...options.env };
  // A run must never stop to ask a question: no editor, no pager, no credential prompt.
  env.GIT_TERMINAL_PROMPT ??= '0';
  env.GIT_EDITOR ??= 'true';
  env.GIT_SEQUENCE_EDITOR ??= 'true';
  env.GIT_PAGER ??= 'cat';
  env.PAGER ??= 'cat';
  // Each command gets its own process group so a timeout or an interrupt kills everything it
  // started (cargo's test binaries, git hooks), not just the direct child that may leave its
  // grandchildren holding the output pipe open. Its own group also means it would outlive this
  // process killed hard: the token and the watchdog (watchdog.ts) make it die with us instead.
  env[PROCESS_TOKEN_ENV] = processToken();
  const logId = options.quiet ? undefined : log.start(command, args, options.cwd);
  if (options.signal?.aborted) {
    // The run is already interrupted: a command started now would be killed at birth, and a git
    // killed while it starts can leave its index.lock. It is not started at all.
    const result: CommandResult = { command, args: [...args], cwd: options.cwd, exitCode: 130, stdout: '', stderr: '(cancelled: run interrupted before it started; not run)', durationMs: 0, timedOut: false };
    if (!options.quiet) log.record(result, logId);
    return result;
  }
  ensureWatchdog();
  const sub = execa(command, [...args], {
    cwd: options.cwd,
    env,
    extendEnv: false,
    reject: false,
    detached: true,
    input: options.input,
    stdin: options.interact ? 'pipe' : options.input === undefined ? 'ignore' : undefined,
    // In a conversation stdout is read as it arrives (OutputReader), not buffered by execa.
    ...(options.interact ? { buffer: { stdout: false, stderr: true } } : {}),
    stripFinalNewline: !options.raw,
    all: false,
    maxBuffer: 256 * 1024 * 1024,
    ...(options.logFile ? { stdout: ['pipe', { file: options.logFile, append: true }], stderr: ['pipe', { file: options.logFile, append: true }] } : {}),
  });
  let timedOut = false;
  let cancelled = false;
  const killGroup = (signal: NodeJS.Signals) => {
    if (sub.pid === undefined) return;
    try {
      process.kill(-sub.pid, signal);
    } catch {
      // already gone
    }
  };
  const stop = (graceMs = 2_000) => {
    killGroup('SIGTERM');
    setTimeout(() => killGroup('SIGKILL'), graceMs).unref();
  };
  const timer = options.timeoutMs ? setTimeout(() => ((timedOut = true), stop()), options.timeoutMs) : undefined;
  // On an interrupt git gets longer to go: on SIGTERM it removes the lock files it holds
  // (index.lock, a ref's .lock) and exits; a SIGKILL mid-write is what leaves them behind.
  const onAbort = () => ((cancelled = true), stop(isGit(command) ? 10_000 : 2_000));
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  let interactError: string | undefined;
  let stdoutClosed: Promise<void> | undefined;
  const reader = options.interact ? new OutputReader() : undefined;
  if (options.interact && reader) {
    sub.stdout?.on('data', (chunk: Buffer) => reader.push(chunk));
    stdoutClosed = new Promise<void>((resolve) => sub.stdout?.on('close', () => (reader.close(), resolve())) ?? resolve());
    // A command that exits early (or never starts) must not turn writes into an unhandled EPIPE.
    sub.stdin?.on('error', () => {});
    const io: ProcessIO = {
      write: (data) => void sub.stdin?.write(data),
      read: (complete, timeoutMs) => reader.read(complete, timeoutMs),
      end: () => void sub.stdin?.end(),
    };
    try {
      await options.interact(io);
    } catch (error) {
      interactError = error instanceof Error ? error.message : String(error);
      stop();
    }
    io.end();
  }
  const r = await sub;
  await stdoutClosed;
  // The log streamed straight to disk: redact it now that the command is done with it.
  if (options.logFile) redactFile(options.logFile);
  if (timer) clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  const result: CommandResult = {
    command,
    args: [...args],
    cwd: options.cwd,
    exitCode: timedOut ? 124 : typeof r.exitCode === 'number' ? r.exitCode : 1,
    stdout: reader ? reader.all : typeof r.stdout === 'string' ? r.stdout : '',
    stderr: typeof r.stderr === 'string' ? r.stderr : '',
    durationMs: Math.round(performance.now() - started),
    timedOut,
  };
  if (r.signal) result.signal = r.signal;
  const code = (r as { code?: string }).code;
  if (timedOut) {
    result.stderr = `${result.stderr}\n(timed out after ${options.timeoutMs} ms)`.trim();
  } else if (cancelled) {
    result.exitCode = 130;
    result.stderr = `${result.stderr}\n(cancelled: run interrupted)`.trim();
  } else if (r.failed && r.exitCode === undefined && !r.signal && code) {
    result.spawnError = code;
    result.exitCode = 127;
    if (!result.stderr) result.stderr = `${command}: ${code === 'ENOENT' ? 'command not found' : code}`;
  } else if (interactError !== undefined) {
    if (result.exitCode === 0) result.exitCode = 1;
    result.stderr = `${result.stderr}\n(conversation failed: ${interactError})`.trim();
  }
  if (!options.quiet) log.record(result, logId);
  return result;
}

/** git itself, or git behind a wrapper path (`/usr/bin/git`). */
function isGit(command: string): boolean {
  return /(^|\/)git$/.test(command);
}

/** A runner bound to a command log, so stages do not pass the log around. */
export type Runner = (command: string, args: readonly string[], options: RunOptions) => Promise<CommandResult>;

/** A signal that never fires: for the commands that must finish once started (undo, cleanup, a ref move and its worktree). */
export const neverAborted: AbortSignal = new AbortController().signal;

/** `run` with every call uninterruptible: an interrupt of the run does not stop these commands halfway. */
export function uninterruptible(run: Runner): Runner {
  return (command, args, options) => run(command, args, { ...options, signal: neverAborted });
}

export function boundRunner(log: CommandLog, signal?: AbortSignal): Runner {
  return (command, args, options) => run(command, args, signal && !options.signal ? { ...options, signal } : options, log);
}

/** Format a result as a shell-like line for reports ("git rebase abc (exit 1)"). */
export function describeCommand(result: Pick<CommandResult, 'command' | 'args'>): string {
  return redact([result.command, ...result.args].map(shellQuote).join(' '));
}

export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%^+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
