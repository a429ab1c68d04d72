/** One ref line of `git push --porcelain`: `<flag>\t<from>:<to>\t<summary> (<reason>)`. */
export interface PushRefLine {
  flag: string;
  from: string;
  to: string;
  summary: string;
  reason: string | null;
}

export type PushOutcomeKind =
  | 'pushed'
  | 'up-to-date'
  /** --force-with-lease: the remote ref is not at the expected SHA (or exists when it must not). */
  | 'stale-info'
  | 'non-fast-forward'
  | 'fetch-first'
  /** The remote refused: pre-receive/update hook, branch protection. */
  | 'remote-rejected'
  /** `--atomic`: this ref was fine, another one was refused, so none moved. */
  | 'atomic-failed'
  /** `--atomic` against a remote that does not advertise it: nothing was sent. */
  | 'atomic-unsupported'
  /** Refused before anything was sent (a client-side pre-push hook, most often). */
  | 'refused-locally'
  | 'unreachable'
  | 'timeout'
  | 'unknown';

export interface PushOutcome {
  kind: PushOutcomeKind;
  /** One line for the report: the reason git gave, plus the remote's message when there is one. */
  detail: string;
  line: PushRefLine | null;
}

/** Parse the ref lines of `git push --porcelain` stdout. Pure. */
export function parsePushPorcelain(stdout: string): PushRefLine[] {
  const out: PushRefLine[] = [];
  for (const raw of stdout.split('\n')) {
    const m = /^(.)\t([^\t]*):([^\t]*)\t(.*)$/.exec(raw);
    if (!m) continue;
    const rest = m[4].trim();
    const reason = /\(([^)]*)\)\s*$/.exec(rest);
    out.push({ flag: m[1], from: m[2], to: m[3], summary: rest, reason: reason ? reason[1] : null });
  }
  return out;
}

/**
 * Classify a push from its exit code and porcelain output. Success and failure are decided on the
 * exit code; the output only says *why* for the report.
 */
export function classifyPush(input: { exitCode: number; timedOut?: boolean; stdout: string; stderr: string }, ref: string): PushOutcome {
  const lines = parsePushPorcelain(input.stdout);
  const line = lines.find((l) => l.to === ref) ?? lines[0] ?? null;
  const remoteSaid = input.stderr
    .split('\n')
    .filter((l) => l.startsWith('remote:'))
    .map((l) => l.replace(/^remote:\s*/, '').trim())
    .filter(Boolean)
    .join(' / ');
  if (input.exitCode === 0) {
    return { kind: line?.flag === '=' ? 'up-to-date' : 'pushed', detail: line?.summary ?? '', line };
  }
  if (input.timedOut) return { kind: 'timeout', detail: 'push timed out', line };
  if (line && line.flag === '!') {
    const reason = line.reason ?? line.summary;
    const withRemote = remoteSaid ? `${reason}: ${remoteSaid}` : reason;
    if (line.summary.startsWith('[remote rejected]')) return { kind: 'remote-rejected', detail: withRemote, line };
    if (reason === 'stale info') return { kind: 'stale-info', detail: withRemote, line };
    if (reason === 'non-fast-forward') return { kind: 'non-fast-forward', detail: withRemote, line };
    if (reason === 'fetch first') return { kind: 'fetch-first', detail: withRemote, line };
    if (reason === 'atomic push failed') return { kind: 'atomic-failed', detail: withRemote, line };
    return { kind: 'unknown', detail: withRemote, line };
  }
  const fatal = input.stderr.split('\n').find((l) => l.startsWith('fatal:'));
  const atomic = atomicRefusal(input);
  if (atomic) return { kind: 'atomic-unsupported', detail: atomic, line };
  if (input.exitCode === 128 || fatal) return { kind: 'unreachable', detail: (fatal ?? input.stderr.split('\n')[0] ?? '').replace(/^fatal:\s*/, ''), line };
  // Exit 1 with no ref line: git stopped before sending anything — a pre-push hook said no.
  const said = input.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('error: failed to push some refs'))
    .join(' / ');
  return { kind: 'refused-locally', detail: said || 'push refused before sending (pre-push hook?)', line };
}

/**
 * The remote's refusal of `--atomic` itself — a property of the whole push, not of one ref: git's
 * only signal is its fatal message, and it exits 128 before sending anything. null when absent.
 */
export function atomicRefusal(result: { stderr: string }): string | null {
  const fatal = result.stderr.split('\n').find((l) => l.startsWith('fatal:'));
  return fatal && /does not support --atomic push/.test(fatal) ? fatal.replace(/^fatal:\s*/, '') : null;
}
