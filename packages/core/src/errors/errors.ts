import { EXIT, outcomeForExit, type ExitCode, type Outcome } from './exit-codes.js';

/**
 * Domain errors carry a stable code, a one-line message that names the fix, and the exit code the
 * run ends with. Stages return them in results; they are thrown only across the pipeline boundary.
 */
export class RebaseDailyError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly details: Record<string, unknown>;
  constructor(code: string, message: string, exitCode: ExitCode = EXIT.internal, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'RebaseDailyError';
    this.code = code;
    this.exitCode = exitCode;
    this.details = details;
  }
  toJSON(): ErrorRecord {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export interface ErrorRecord {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

const e = (code: string, exitCode: ExitCode) => (message: string, details: Record<string, unknown> = {}) =>
  new RebaseDailyError(code, message, exitCode, details);

/** The catalog. Each message is one line and says what to do next. */
export const errors = {
  usage: (message: string) => new RebaseDailyError('E_USAGE', message, EXIT.usage),
  configNotFound: (path: string) =>
    new RebaseDailyError(
      'E_CONFIG_NOT_FOUND',
      `config file not found: ${path}; pass --config FILE, set REBASE_DAILY_CONFIG, or run \`rebase-daily init\``,
      EXIT.usage,
    ),
  /** A config or repository-setup problem found after the file parsed (remotes, branches): exit 2, nothing touched. */
  config: (message: string, details: Record<string, unknown> = {}) => new RebaseDailyError('E_CONFIG', message, EXIT.usage, details),
  configInvalid: (problems: string[]) =>
    new RebaseDailyError('E_CONFIG_INVALID', `config is invalid: ${problems.join('; ')}`, EXIT.usage, { problems }),
  /** `path`: the worktree that is dirty (the repo, or a linked worktree that has the trunk or mirror checked out). */
  dirtyTree: (files: string[], path?: string) =>
    new RebaseDailyError(
      'E_DIRTY_TREE',
      `working tree ${path ? `${path} ` : ''}has uncommitted changes in ${files.slice(0, 5).join(', ')}${files.length > 5 ? ` and ${files.length - 5} more` : ''}; commit or stash them, then rerun`,
      EXIT.internal,
      { files, ...(path ? { path } : {}) },
    ),
  notARepo: (path: string) =>
    new RebaseDailyError('E_NOT_A_REPO', `${path} is not a git repository; fix "repo" in the config or pass --repo`, EXIT.internal),
  notTopLevel: (path: string, top: string) =>
    new RebaseDailyError('E_NOT_TOP_LEVEL', `${path} is inside the work tree of ${top}, not its top level; set "repo" to ${top} in the config or pass --repo ${top}`, EXIT.usage, { top }),
  /** An operation the user started (found before the run wrote anything): refused, never aborted. */
  /** `branch`: the branch the run would move under an operation stopped in a linked worktree. */
  operationInProgress: (op: string, path: string, commands: { finish: string; abort: string }, branch?: string) =>
    new RebaseDailyError(
      'E_OPERATION_IN_PROGRESS',
      `a ${op} ${branch ? `of ${branch}, a branch this run moves, ` : ''}is in progress in ${path} and rebase-daily did not start it, so it leaves it alone; finish it (\`${commands.finish}\`) or abort it (\`${commands.abort}\`), then rerun`,
      EXIT.internal,
      { operation: op, path, ...commands, ...(branch ? { branch } : {}) },
    ),
  /** A config field names a branch that does not exist where it must: the run never creates it. */
  configBranch: (field: string, name: string, where: string, existing: string[], closest: string | null) =>
    new RebaseDailyError(
      'E_CONFIG',
      `"${field}" names branch "${name}", which does not exist ${where}${closest ? `; did you mean "${closest}"?` : ''} (existing: ${existing.slice(0, 8).join(', ') || 'none'}${existing.length > 8 ? `, … ${existing.length - 8} more` : ''}); fix "${field}" in the config — rebase-daily never creates a branch the config names`,
      EXIT.usage,
      { field, name, existing, closest },
    ),
  /** `repo` (config or --repo) is not a directory holding a git work tree. */
  repoPath: (path: string, why: 'missing' | 'file' | 'not-a-repo') =>
    new RebaseDailyError(
      'E_REPO_PATH',
      `repo ${path} ${why === 'missing' ? 'does not exist' : why === 'file' ? 'is a file, not a directory' : 'is not a git repository'}; set "repo" in the config or pass --repo to the top level of the fork's clone (nothing was created)`,
      EXIT.usage,
      { path, why },
    ),
  /** `scratchDir` resolves somewhere the run must not write (/, a system directory, the repo's parent). */
  scratchDir: (path: string, why: string) =>
    new RebaseDailyError('E_CONFIG', `"scratchDir" resolves to ${path}, ${why}; use a path inside the repo (default ".scratch") or a dedicated directory`, EXIT.usage, { field: 'scratchDir', path }),
  rebaseInProgress: (path: string) =>
    new RebaseDailyError(
      'E_REBASE_IN_PROGRESS',
      `a rebase, merge, cherry-pick or bisect is in progress in ${path}; finish it or run \`git rebase --abort\`, then rerun`,
      EXIT.internal,
    ),
  remoteMissing: (name: string, field: string) =>
    new RebaseDailyError(
      'E_REMOTE_MISSING',
      `git remote "${name}" does not exist; add it with \`git remote add ${name} <url>\` or set ${field} in the config`,
      EXIT.internal,
    ),
  branchMissing: (name: string, field: string) =>
    new RebaseDailyError(
      'E_BRANCH_MISSING',
      `branch "${name}" does not exist locally; create or fetch it, or fix ${field} in the config`,
      EXIT.internal,
    ),
  fetchFailed: (remote: string, stderr: string) =>
    new RebaseDailyError('E_FETCH_FAILED', `git fetch ${remote} failed: ${firstLine(stderr)}; check the remote URL and credentials`, EXIT.internal),
  movedSinceVerify: (ref: string, expected: string, actual: string) =>
    new RebaseDailyError(
      'E_MOVED_SINCE_VERIFY',
      `${ref} moved since verify (verified ${expected.slice(0, 12)}, now ${actual.slice(0, 12)}); rerun verify`,
      EXIT.internal,
      { ref, expected, actual },
    ),
  /** No pin, or (with `unclean`) a pin verify did not prove: apply replays only what verify proved. */
  notVerified: (unclean?: { upstream: string }) =>
    unclean
      ? new RebaseDailyError(
          'E_NOT_VERIFIED',
          `verify did not prove that the patch queue replays cleanly onto upstream ${unclean.upstream.slice(0, 12)}; apply refuses it: resolve the verify conflict, then run \`rebase-daily daily\``,
          EXIT.internal,
          { upstream: unclean.upstream },
        )
      : new RebaseDailyError('E_NOT_VERIFIED', 'no verified upstream SHA for this run; run `rebase-daily verify` first (or `rebase-daily daily`)', EXIT.internal),
  mirrorDiverged: (mirror: string, commits: string[]) =>
    new RebaseDailyError(
      'E_MIRROR_DIVERGED',
      `mirror ${mirror} has ${commits.length} commit(s) not in upstream (${commits.slice(0, 3).join(', ')}); the mirror must stay a pure mirror: move those commits to the trunk and reset the mirror by hand`,
      EXIT.internal,
      { commits },
    ),
  /** Exit 12. `attempted` false: the run refused before pushing anything (the message says nothing was pushed). */
  leaseBlocked: (ref: string, expected: string, actual: string, why: string, attempted = true) =>
    new RebaseDailyError(
      'E_LEASE_BLOCKED',
      attempted
        ? `push of ${ref} blocked: ${why}; fetch, inspect the remote commits, rerun`
        : `no push attempted, nothing was pushed: ${why}; fetch, bring those commits into the local branch (or decide they must go), rerun`,
      EXIT.pushBlocked,
      { ref, expected, actual, attempted },
    ),
  atomicUnsupported: (remote: string) =>
    new RebaseDailyError(
      'E_ATOMIC_UNSUPPORTED',
      `the fork remote "${remote}" does not support atomic pushes, so the trunk, the mirror and the descendants cannot move together; nothing was pushed: set "publish": { "atomic": false } to push them one by one (mirror, trunk, descendants), or use a remote that supports --atomic`,
      EXIT.pushBlocked,
    ),
  gitLock: (path: string, count: number, why: string) =>
    new RebaseDailyError('E_GIT_LOCK', `git lock file ${path} blocks git${count > 1 ? ` (and ${count - 1} more lock file(s))` : ''}; ${why}`, EXIT.internal, { path, count }),
  lockTaken: (message: string, details: Record<string, unknown>) => new RebaseDailyError('E_LOCK_TAKEN', message, EXIT.lockTaken, details),
  internal: (message: string, details: Record<string, unknown> = {}) => new RebaseDailyError('E_INTERNAL', message, EXIT.internal, details),
  interrupted: (signal: string) =>
    new RebaseDailyError('E_INTERRUPTED', `run interrupted by ${signal}; repository restored, rerun when ready`, EXIT.internal),
  stageData: (stage: string, problems: string[]) =>
    new RebaseDailyError(
      'E_STAGE_DATA',
      `the ${stage} stage recorded data that does not match its contract (${problems.join('; ')}); this is a rebase-daily bug: report it with the run's state.json`,
      EXIT.internal,
      { stage, problems },
    ),
  /** An Nx stage task that found no run of its invocation to join. */
  noActiveRun: (message: string) => new RebaseDailyError('E_NO_ACTIVE_RUN', message, EXIT.internal),
  nxReplay: (message: string) => new RebaseDailyError('E_NX_REPLAY', message, EXIT.internal),
  runUnfinished: (reason: string) =>
    new RebaseDailyError('E_RUN_UNFINISHED', `${reason}; the run was finished by the recovery path (cleanup, report, unlock)`, EXIT.internal),
  upstreamMissing: (remote: string, branch: string) =>
    new RebaseDailyError('E_UPSTREAM_MISSING', `${remote}/${branch} does not exist after fetch; fix "upstreamBranch" or the ${remote} remote`, EXIT.internal),
  /** Something the run made (or a crashed run left) that cleanup could not remove or undo. */
  cleanup: (message: string) => new RebaseDailyError('E_CLEANUP', message, EXIT.internal),
  validateWorktree: (message: string) => new RebaseDailyError('E_VALIDATE_WORKTREE', message, EXIT.internal),
  validateCwd: (message: string) => new RebaseDailyError('E_VALIDATE_CWD', message, EXIT.internal),
  /** `rebase-daily report` with no finished run to render. */
  noRun: (runsDir: string) => new RebaseDailyError('E_NO_RUN', `no finished run under ${runsDir}; run \`rebase-daily daily\` first`, EXIT.internal),
  doctorCheckFailed: (check: string, message: string) => new RebaseDailyError('E_DOCTOR_CHECK_FAILED', `${check}: ${message}`, EXIT.internal, { check }),
  /** `rebase-daily init` would overwrite files that differ (exit 2): nothing was written. */
  fileExists: (paths: string[]) =>
    new RebaseDailyError(
      'E_FILE_EXISTS',
      `${paths.length} file(s) exist with different content: ${paths.join(', ')}; nothing was written. Rerun with --force to overwrite them, or move them away`,
      EXIT.usage,
      { paths },
    ),
  /** `rebase-daily dashboard --fleet FILE`: the fleet summary is missing or not `{forks: [{name, config}]}` (exit 2, nothing written). */
  fleetInvalid: (path: string, why: string) =>
    new RebaseDailyError('E_FLEET_INVALID', `fleet summary ${path}: ${why}; write {"forks": [{"name": "my-fork", "config": "path/to/rebase-daily.json"}]} (config paths relative to the file)`, EXIT.usage, { path }),
  /** The publish gate (git's gate/publish-gate.ts): an invariant the refs about to be pushed do not hold; nothing was pushed. */
  trunkAhead: (trunk: string, remote: string, commits: string[]) =>
    new RebaseDailyError(
      'E_TRUNK_AHEAD',
      `the local ${trunk} has ${commits.length} commit(s) ${remote}/${trunk} does not (${commits.slice(0, 3).join(', ')}${commits.length > 3 ? ', …' : ''}); nothing was started: push them to ${remote} (or remove them from the local ${trunk}), or set "publish": { "trunkSource": "local" } to publish the local trunk as the queue`,
      EXIT.internal,
      { trunk, remote, commits },
    ),
  shallowRepo: (path: string, why: 'shallow' | 'partial', fix: string) =>
    new RebaseDailyError(
      'E_SHALLOW_REPO',
      `${path} ${why === 'shallow' ? 'is a shallow clone' : 'is a partial clone missing objects the queue needs'}: patches cannot be told apart without the whole history; nothing was started: run \`${fix}\`, then rerun`,
      EXIT.internal,
      { path, why, fix },
    ),
  queueMismatch: (problems: string[]) =>
    new RebaseDailyError(
      'E_QUEUE_MISMATCH',
      `the new trunk does not map one to one onto the queue the run started from: ${problems.slice(0, 4).join('; ')}${problems.length > 4 ? `; and ${problems.length - 4} more` : ''}; nothing was pushed: restore the missing patch or remove the extra commit, then rerun`,
      EXIT.internal,
      { problems },
    ),
  conflictMarkers: (found: string[]) =>
    new RebaseDailyError(
      'E_CONFLICT_MARKERS',
      `the new trunk adds conflict markers: ${found.slice(0, 4).join(', ')}${found.length > 4 ? `, and ${found.length - 4} more` : ''}; nothing was pushed: remove them, commit, then rerun`,
      EXIT.internal,
      { found },
    ),
  unvalidatedTree: (tree: string, why: string) =>
    new RebaseDailyError(
      'E_UNVALIDATED_TREE',
      `the tree ${tree.slice(0, 12)} about to be published was not validated (${why}); nothing was pushed: validate it (rerun without --no-validate), or waive it explicitly with --no-validate --reason "<why>"`,
      EXIT.internal,
      { tree, why },
    ),
  toolMissing: e('E_TOOL_MISSING', EXIT.internal),
  versionBump: e('E_VERSION_BUMP', EXIT.internal),
} as const;

export function firstLine(text: string): string {
  const line = text.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** Turn anything thrown into an ErrorRecord without losing a RebaseDailyError's code. */
export function toErrorRecord(err: unknown): ErrorRecord {
  if (err instanceof RebaseDailyError) return err.toJSON();
  if (err instanceof Error) return { code: 'E_INTERNAL', message: err.message, details: { stack: err.stack?.split('\n').slice(0, 6).join('\n') } };
  return { code: 'E_INTERNAL', message: String(err) };
}

/**
 * The run outcome an error ends a run with: its exit code decides (a config error is a usage error,
 * exit 2; a lease error push-blocked, exit 12; a Graphite error graphite-failed, exit 13), so the
 * outcome and the exit code can never disagree. Anything else is an error.
 */
export function outcomeOf(err: unknown): Outcome {
  return err instanceof RebaseDailyError ? outcomeForExit(err.exitCode) : 'error';
}
