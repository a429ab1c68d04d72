import { EXIT, type ExitCode } from '@rebase-daily/core';
import type { CommandName, FlagName } from './args.js';

/** One command's help: the only source `rebase-daily help <command>` is rendered from. */
export interface CommandHelp {
  /** What each flag the command takes does for this command (keys: COMMAND_FLAGS[command]). */
  flags: Partial<Record<FlagName, string>>;
  /** The exit codes this command can give (0, 1, 2 and the outcomes its stages can end in). */
  exitCodes: readonly ExitCode[];
  /** `resolve`: its steps, in the order they are run. */
  subcommands?: readonly (readonly [string, string])[];
  /** One runnable example (the config path is a placeholder). */
  example: string;
}

const config = 'config file (else $REBASE_DAILY_CONFIG, else ./rebase-daily.json)';
const repo = "operate on this clone instead of the config's repo";
const json = 'print one JSON envelope on stdout (progress stays on stderr)';
const help = 'this help';
const COMMON_FLAGS = { config, repo, json, help } as const;
const SIGNALS = [EXIT.sigint, EXIT.sigterm] as const;
/** Every run of the pipeline can fail, be refused as usage, meet a lock or be interrupted. */
const RUN = [EXIT.ok, EXIT.internal, EXIT.usage, EXIT.lockTaken] as const;

/** `rebase-daily resolve` steps, in the order they are used, with what each exits: shown by `help resolve`. */
export const RESOLVE_STEPS_HELP: readonly (readonly [string, string])[] = [
  ['start', 'take the lock (kind resolve), pin the SHAs, replay the queue in a worktree to the first conflict (0; 15 lock taken)'],
  ['continue', 'after editing and `git add` in the worktree: the next conflict or the end of the queue (0; 17 not ready: unmerged/markers; 18 the patch would be dropped)'],
  ['fixup <patch>', 'commit what is staged in the worktree as a fixup of that patch (position or SHA) and squash it in (0; 17 nothing staged / not replayed yet)'],
  ['edit <patch>', 'replay the queue stopped at that patch; change it, `git add`, then continue (0; 17 not replayed yet / worktree dirty)'],
  ['finish', 'range-diff, version bump, escalation gates, validate, publish with leases: outcome resolved (0; 12 fork moved; 14 validation failed → fixup/edit; 17 not replayed; 18 gate held → --accept <gate> --reason)'],
  ['abort', 'remove the worktree and branch, put back what finish moved locally, end the lock (0)'],
  ['status', 'where it stands, read from git (after a crash too), with the next commands that work now (0)'],
];

export const COMMAND_HELP: Record<CommandName, CommandHelp> = {
  daily: {
    flags: COMMON_FLAGS,
    exitCodes: [...RUN, EXIT.verifyConflict, EXIT.applyConflict, EXIT.pushBlocked, EXIT.graphiteFailed, EXIT.validationFailed, EXIT.partial, ...SIGNALS],
    example: 'rebase-daily daily --config ~/fork/rebase-daily.json',
  },
  verify: { flags: COMMON_FLAGS, exitCodes: [...RUN, EXIT.verifyConflict, ...SIGNALS], example: 'rebase-daily verify --config rebase-daily.json --json' },
  apply: { flags: COMMON_FLAGS, exitCodes: [...RUN, EXIT.verifyConflict, EXIT.applyConflict, EXIT.partial, ...SIGNALS], example: 'rebase-daily apply --config rebase-daily.json' },
  align: { flags: COMMON_FLAGS, exitCodes: [...RUN, EXIT.graphiteFailed, ...SIGNALS], example: 'rebase-daily align --config rebase-daily.json' },
  validate: { flags: COMMON_FLAGS, exitCodes: [...RUN, EXIT.validationFailed, ...SIGNALS], example: 'rebase-daily validate --config rebase-daily.json' },
  publish: { flags: COMMON_FLAGS, exitCodes: [...RUN, EXIT.pushBlocked, ...SIGNALS], example: 'rebase-daily publish --config rebase-daily.json' },
  report: { flags: COMMON_FLAGS, exitCodes: [EXIT.ok, EXIT.internal, EXIT.usage], example: 'rebase-daily report --config rebase-daily.json' },
  status: { flags: { ...COMMON_FLAGS, full: 'with --json: include the latest full report (a run\'s own --json envelope carries only its decision)' }, exitCodes: [EXIT.ok, EXIT.internal, EXIT.usage], example: 'rebase-daily status --config rebase-daily.json' },
  doctor: { flags: COMMON_FLAGS, exitCodes: [EXIT.ok, EXIT.internal, EXIT.usage], example: 'rebase-daily doctor --config rebase-daily.json' },
  prompt: {
    flags: { ...COMMON_FLAGS, write: 'write the rendered prompt to FILE instead of stdout', force: 'with --write: overwrite FILE when it exists with different content' },
    exitCodes: [EXIT.ok, EXIT.internal, EXIT.usage],
    example: 'rebase-daily prompt --config rebase-daily.json --write docs/rebase-daily/agent-prompt.md',
  },
  init: {
    flags: {
      config: 'where to write the starter config (default <repo>/rebase-daily.json)',
      repo: 'the fork (default: the current directory)',
      json,
      help,
      'docs-dir': 'where the rendered docs go (default <repo>/docs/rebase-daily)',
      'prompt-file': 'where the rendered prompt goes (default <docs-dir>/agent-prompt.md)',
      trunk: "the fork trunk (default: Graphite's trunk, else the checked-out branch)",
      force: 'overwrite files that exist with different content',
      ci: 'also write a scheduled CI workflow running every fork of the workspace (github: .github/workflows/rebase-daily.yml; --repo: the workspace)',
    },
    exitCodes: [EXIT.ok, EXIT.internal, EXIT.usage],
    example: 'cd ~/fork && rebase-daily init',
  },
  history: {
    flags: { ...COMMON_FLAGS, days: 'only the runs of the last N days' },
    exitCodes: [EXIT.ok, EXIT.internal, EXIT.usage],
    example: 'rebase-daily history --config rebase-daily.json --days 30',
  },
  dashboard: {
    flags: {
      ...COMMON_FLAGS,
      config: 'config file (else $REBASE_DAILY_CONFIG, else ./rebase-daily.json); repeat it for a fleet page',
      days: 'only the runs of the last N days',
      out: 'the HTML file to write (default <scratch>/rebase-daily/dashboard.html; for a fleet, ./rebase-daily-fleet.html)',
      fleet: 'a fleet summary JSON ({"forks": [{"name", "config"}]}): one page, a row per fork',
    },
    exitCodes: [EXIT.ok, EXIT.internal, EXIT.usage],
    example: 'rebase-daily dashboard --config rebase-daily.json --out /var/www/fork-health.html',
  },
  lock: {
    flags: { ...COMMON_FLAGS, reason: 'why it is held (runs refused meanwhile show it)' },
    exitCodes: [EXIT.ok, EXIT.internal, EXIT.usage, EXIT.lockTaken],
    example: 'rebase-daily lock --config rebase-daily.json --reason "resolving the 2026-12-01 conflict"',
  },
  unlock: { flags: COMMON_FLAGS, exitCodes: [EXIT.ok, EXIT.internal, EXIT.usage, EXIT.lockTaken], example: 'rebase-daily unlock --config rebase-daily.json' },
  resolve: {
    flags: {
      ...COMMON_FLAGS,
      'authorised-by': 'start: who authorised the agent to resolve the conflict (recorded in the report)',
      'no-validate': 'finish: publish without validation, only with --reason (recorded)',
      accept: 'finish: a human accepts an escalation gate by name (outside-hunks, dropped-patch; repeatable), only with --reason',
      reason: 'finish --no-validate / --accept: why (recorded)',
    },
    exitCodes: [EXIT.ok, EXIT.internal, EXIT.usage, EXIT.pushBlocked, EXIT.validationFailed, EXIT.lockTaken, EXIT.notReady, EXIT.gate],
    subcommands: RESOLVE_STEPS_HELP,
    example: 'rebase-daily resolve start --config rebase-daily.json --authorised-by "ada, chat of 2026-11-29"',
  },
};
