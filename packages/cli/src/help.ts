import { EXIT_CODE_MEANINGS } from '@rebase-daily/core';
import { COMMAND_FLAGS, COMMANDS, FLAG_SPECS, type CommandName, type FlagName, type FlagSpec } from './args.js';

/** Every flag, as `--name ARG` → meaning. The docs-sync test checks the docs against these keys. */
export const FLAGS: Record<string, string> = {
  '--config FILE': 'config file (else $REBASE_DAILY_CONFIG, else ./rebase-daily.json); init: where to write it',
  '--repo DIR': "operate on this clone instead of the config's repo; init: the fork (default: current dir)",
  '--json': 'print one JSON envelope on stdout (progress stays on stderr)',
  '--write FILE': 'prompt: write the rendered prompt to FILE instead of stdout',
  '--force': 'init, prompt --write: overwrite files that exist with different content',
  '--docs-dir DIR': 'init: where the rendered docs go (default <repo>/docs/rebase-daily)',
  '--prompt-file FILE': 'init: where the rendered prompt goes (default <docs-dir>/agent-prompt.md)',
  '--trunk BRANCH': "init: the fork trunk (default: Graphite's trunk, else the checked-out branch)",
  '--reason TEXT': 'lock: why it is held (runs refused meanwhile show it); resolve finish --no-validate / --accept: why (recorded)',
  '--help': 'this help (`rebase-daily help <command>` for one command)',
  '--version': 'print the version (no command)',
  '--authorised-by TEXT': 'resolve start: who authorised the agent to resolve the conflict (recorded in the report)',
  '--no-validate': 'resolve finish: publish without validation, only with --reason (recorded)',
  '--full': 'status --json: include the latest full report (a run\'s own --json envelope carries only its decision)',
  '--accept GATE': 'resolve finish: a human accepts an escalation gate by name (outside-hunks, dropped-patch; repeatable), only with --reason (recorded)',
};

/** `rebase-daily resolve` steps, in the order they are used, with what each exits: shown by `help resolve`. */
export const RESOLVE_STEPS_HELP: readonly [string, string][] = [
  ['start', 'take the lock (kind resolve), pin the SHAs, replay the queue in a worktree to the first conflict (0; 15 lock taken)'],
  ['continue', 'after editing and `git add` in the worktree: the next conflict or the end of the queue (0; 17 not ready: unmerged/markers; 18 the patch would be dropped)'],
  ['fixup <patch>', 'commit what is staged in the worktree as a fixup of that patch (position or SHA) and squash it in (0; 17 nothing staged / not replayed yet)'],
  ['edit <patch>', 'replay the queue stopped at that patch; change it, `git add`, then continue (0; 17 not replayed yet / worktree dirty)'],
  ['finish', 'range-diff, version bump, escalation gates, validate, publish with leases: outcome resolved (0; 12 fork moved; 14 validation failed → fixup/edit; 17 not replayed; 18 gate held → --accept <gate> --reason)'],
  ['abort', 'remove the worktree and branch, put back what finish moved locally, end the lock (0)'],
  ['status', 'where it stands, read from git (after a crash too), with the next commands that work now (0)'],
];

/** Flag names (without the argument word), e.g. `--config`. */
export function flagNames(): string[] {
  return Object.keys(FLAGS).map((f) => f.split(' ')[0]);
}

/** The `--name ARG` key of FLAGS for a flag name. */
function flagKey(name: FlagName): string {
  const spec: FlagSpec = FLAG_SPECS[name];
  return spec.arg ? `--${name} ${spec.arg}` : `--${name}`;
}

/** `[--config FILE] [--repo DIR] [--json]`: the flags `command` accepts, from the one table in args.ts. */
export function usageOf(command: CommandName): string {
  return COMMAND_FLAGS[command]
    .filter((f) => f !== 'help')
    .map((f) => `[${flagKey(f)}]`)
    .join(' ');
}

/** `rebase-daily --help` lists every command and flag; `rebase-daily <command> --help` (or `help <command>`) only what that command accepts. */
export function helpText(command?: CommandName): string {
  const lines: string[] = [];
  let flags: string[];
  if (command) {
    lines.push(`rebase-daily ${command} — ${COMMANDS[command]}`, '', `Usage: rebase-daily ${command} ${usageOf(command)}`);
    flags = COMMAND_FLAGS[command].map(flagKey);
    if (command === 'resolve') {
      lines.push('', 'Steps (in order):');
      for (const [step, text] of RESOLVE_STEPS_HELP) lines.push(`  resolve ${step.padEnd(14)} ${text}`);
    }
  } else {
    lines.push('rebase-daily — rebase a fork trunk onto upstream, safely, once a day', '', 'Usage: rebase-daily <command> [flags]', '       rebase-daily help <command>', '', 'Commands:');
    for (const [name, text] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(9)} ${text}`);
    flags = Object.keys(FLAGS);
  }
  lines.push('', 'Flags:');
  for (const flag of flags) lines.push(`  ${flag.padEnd(19)} ${FLAGS[flag]}`);
  lines.push('', 'Environment:', '  REBASE_DAILY_CONFIG  config file when --config is absent', '  FORCE_STALE_LOCK=1   break a lock older than lock.staleAfterHours (never a fresh one); recorded in the report');
  lines.push('', 'Exit codes:');
  for (const [code, text] of Object.entries(EXIT_CODE_MEANINGS)) lines.push(`  ${code.padStart(2)}  ${text}`);
  lines.push('', 'Docs: runbook, gotchas, fork policy, UPDATING, Graphite practices (`rebase-daily init` renders them into the fork).');
  return `${lines.join('\n')}\n`;
}
