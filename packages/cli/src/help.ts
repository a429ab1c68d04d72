import { EXIT_CODE_MEANINGS } from '@rebase-daily/core';
import { COMMAND_FLAGS, COMMANDS, FLAG_SPECS, type CommandName, type FlagName, type FlagSpec } from './args.js';
import { COMMAND_HELP } from './command-help.js';

/** Every flag, as `--name ARG` → meaning. The docs-sync test checks the docs against these keys. */
export const FLAGS: Record<string, string> = {
  '--config FILE': 'config file (else $REBASE_DAILY_CONFIG, else ./rebase-daily.json); init: where to write it; dashboard: repeat it for a fleet page',
  '--repo DIR': "operate on this clone instead of the config's repo; init: the fork (default: current dir)",
  '--json': 'print one JSON envelope on stdout (progress stays on stderr)',
  '--write FILE': 'prompt: write the rendered prompt to FILE instead of stdout',
  '--force': 'init, prompt --write: overwrite files that exist with different content',
  '--docs-dir DIR': 'init: where the rendered docs go (default <repo>/docs/rebase-daily)',
  '--prompt-file FILE': 'init: where the rendered prompt goes (default <docs-dir>/agent-prompt.md)',
  '--trunk BRANCH': "init: the fork trunk (default: Graphite's trunk, else the checked-out branch)",
  '--ci PROVIDER': 'init: write a scheduled CI workflow running every fork of the workspace (github: .github/workflows/rebase-daily.yml; --repo: the workspace)',
  '--reason TEXT': 'lock: why it is held (runs refused meanwhile show it); resolve finish --no-validate / --accept: why (recorded)',
  '--help': 'this help (`rebase-daily help <command>` for one command)',
  '--version': 'print the version (no command)',
  '--authorised-by TEXT': 'resolve start: who authorised the agent to resolve the conflict (recorded in the report)',
  '--no-validate': 'resolve finish: publish without validation, only with --reason (recorded)',
  '--days N': 'history, dashboard: only the runs of the last N days',
  '--out FILE': 'dashboard: the HTML file to write (default <scratch>/rebase-daily/dashboard.html; for a fleet, ./rebase-daily-fleet.html)',
  '--fleet FILE': 'dashboard: a fleet summary JSON ({"forks": [{"name", "config"}]}): one page, a row per fork',
  '--full': 'status --json: include the latest full report (a run\'s own --json envelope carries only its decision)',
  '--accept GATE': 'resolve finish: a human accepts an escalation gate by name (outside-hunks, dropped-patch; repeatable), only with --reason (recorded)',
};

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

/** Rows `  left  right`, the left column padded to its widest entry (one width per table). */
function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

const ENVIRONMENT: [string, string][] = [
  ['REBASE_DAILY_CONFIG', 'config file when --config is absent'],
  ['FORCE_STALE_LOCK=1', 'break a lock older than lock.staleAfterHours (never a fresh one); recorded in the report'],
  ['NO_COLOR', 'no colour on a terminal (https://no-color.org)'],
];

/** Environment lines a command reads: the lock override only where a lock is taken. */
function environmentFor(command: CommandName): [string, string][] {
  const takesLock = !['status', 'report', 'doctor', 'prompt', 'init', 'unlock'].includes(command);
  return ENVIRONMENT.filter(([name]) => (name.startsWith('FORCE_STALE_LOCK') ? takesLock : name !== 'REBASE_DAILY_CONFIG' || command !== 'init'));
}

/** `rebase-daily <command> --help` (or `help <command>`): rendered only from COMMAND_HELP[command]. */
function commandHelp(command: CommandName): string[] {
  const h = COMMAND_HELP[command];
  const step = command === 'resolve' ? ' <step>' : '';
  const lines = [`rebase-daily ${command} — ${COMMANDS[command]}`, '', `Usage: rebase-daily ${command}${step} ${usageOf(command)}`];
  if (h.subcommands) lines.push('', 'Steps (in this order; status at any time):', ...table(h.subcommands.map(([name, text], i) => [`${i + 1}. ${name}`, text])));
  lines.push('', 'Flags:', ...table(COMMAND_FLAGS[command].map((f) => [flagKey(f), h.flags[f] ?? FLAGS[flagKey(f)]])));
  lines.push('', 'Environment:', ...table(environmentFor(command)));
  lines.push('', 'Exit codes:', ...table([...h.exitCodes].sort((a, b) => a - b).map((code) => [String(code).padStart(3), EXIT_CODE_MEANINGS[code]])));
  lines.push('', 'Example:', `  ${h.example}`);
  return lines;
}

/**
 * `rebase-daily --help` lists every command, flag and exit code; `rebase-daily <command> --help`
 * (or `help <command>`) only that command's usage, flags, exit codes, steps and an example.
 */
export function helpText(command?: CommandName): string {
  if (command) return `${commandHelp(command).join('\n')}\n`;
  const lines = ['rebase-daily — rebase a fork trunk onto upstream, safely, once a day', '', 'Usage: rebase-daily <command> [flags]', '       rebase-daily help <command>', '', 'Commands:'];
  lines.push(...table(Object.entries(COMMANDS)));
  lines.push('', 'Flags:', ...table(Object.entries(FLAGS)));
  lines.push('', 'Environment:', ...table(ENVIRONMENT));
  lines.push('', 'Exit codes:', ...table(Object.entries(EXIT_CODE_MEANINGS).map(([code, text]) => [code.padStart(3), text])));
  lines.push('', 'Docs: runbook, gotchas, fork policy, UPDATING, Graphite practices (`rebase-daily init` renders them into the fork).');
  return `${lines.join('\n')}\n`;
}
