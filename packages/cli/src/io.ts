import type { Progress } from '@rebase-daily/core';

/** What the CLI reads and writes: streams, environment, working directory (tests pass their own). */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** stderr is a terminal (progress colour). */
  isTTY: boolean;
  /** stdout is a terminal: a run prints the compact terminal summary instead of the Markdown, and tables colour only then; absent: as isTTY. */
  stdoutIsTTY?: boolean;
}

/**
 * A write to a stream whose reader is gone (`daily 2>&1 | head -1`) is dropped: the run must finish,
 * write its report and release its lock whatever happens to its output. Node reports a closed pipe
 * as an `error` event (EPIPE) that would otherwise end the process; `guardClosedOutput` swallows it.
 */
function writeTo(stream: NodeJS.WriteStream, text: string): void {
  if (stream.destroyed || stream.writableEnded) return;
  try {
    stream.write(text);
  } catch {
    // closed meanwhile
  }
}

/** Keep an EPIPE (or any error) on stdout/stderr from ending the process. Called once by bin.ts. */
export function guardClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
}

export const processIO: CliIO = {
  stdout: (t) => writeTo(process.stdout, t),
  stderr: (t) => writeTo(process.stderr, t),
  env: process.env,
  cwd: process.cwd(),
  isTTY: Boolean(process.stderr.isTTY),
  stdoutIsTTY: Boolean(process.stdout.isTTY),
};

/** Colour for stdout: a terminal, NO_COLOR unset or empty, TERM not dumb. */
export function useStdoutColor(io: Pick<CliIO, 'env' | 'stdoutIsTTY'>): boolean {
  return Boolean(io.stdoutIsTTY) && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
}

/** Colour only on a terminal, and never when NO_COLOR is set to anything (https://no-color.org) or TERM=dumb. */
export function useColor(io: Pick<CliIO, 'env' | 'isTTY'>): boolean {
  return io.isTTY && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
}

/** Progress lines on stderr (so --json stdout stays one document), coloured only where useColor says. */
export function progressFor(io: CliIO): Progress {
  const mark = useColor(io)
    ? { info: '\u001b[36m▸\u001b[0m', warn: '\u001b[33mwarning:\u001b[0m', error: '\u001b[31merror:\u001b[0m' }
    : { info: 'rebase-daily:', warn: 'rebase-daily: warning:', error: 'rebase-daily: error:' };
  // Progress always goes to stderr, so --json stdout stays one document.
  return { info: (m) => io.stderr(`${mark.info} ${m}\n`), warn: (m) => io.stderr(`${mark.warn} ${m}\n`), error: (m) => io.stderr(`${mark.error} ${m}\n`) };
}
