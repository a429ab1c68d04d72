import { parseArgs } from 'node:util';
import { errors } from '@rebase-daily/core';

export const COMMANDS = {
  daily: 'run the whole day: verify → apply → align → validate → report',
  verify: 'prove the trunk replays cleanly onto the exact upstream SHA; moves no ref',
  apply: 'fast-forward the mirror, rebase the trunk onto the verified SHA, bump, push with lease',
  align: 'Graphite: gt sync --no-restack, restack tracked descendants, check parentage',
  validate: 'formatting and tests on the rebased trunk',
  report: "re-render the latest run's report.json and summary.md",
  status: 'show the latest report and the lock state',
  doctor: 'preflight without side effects: tools, remotes, push URLs, lock, leftovers, config',
  prompt: "render the operator agent's prompt for this config (stdout, or --write FILE)",
  init: 'in a fork: write a starter config, the prompt and the docs; print cron and systemd units',
  lock: 'hold the lock for manual work (resolving a conflict, the manual fallback); runs exit 15 meanwhile',
  unlock: 'end a hold taken by `lock` (never a run\'s lock)',
  resolve: 'agent-owned conflict resolution: resolve start|continue|finish|abort|status (a worktree, under the lock)',
} as const;
export type CommandName = keyof typeof COMMANDS;

/** Commands that mutate nothing in the repository (they still need or accept a config). */
export const READ_ONLY_COMMANDS: readonly CommandName[] = ['status', 'report', 'doctor', 'prompt'];

export interface ParsedArgs {
  command: CommandName | 'help';
  config?: string;
  repo?: string;
  json: boolean;
  help: boolean;
  version: boolean;
  /** prompt: write the rendered prompt here instead of stdout. */
  write?: string;
  /** init / prompt --write: overwrite files that exist with different content. */
  force: boolean;
  /** init: where the rendered docs go (default <repo>/docs/rebase-daily). */
  docsDir?: string;
  /** init: where the rendered prompt goes (default <docs-dir>/agent-prompt.md). */
  promptFile?: string;
  /** init: the trunk branch when Graphite's trunk is not the one (or there is no Graphite). */
  trunk?: string;
  /** lock: why the lock is held (shown to runs refused meanwhile). */
  reason?: string;
  /** resolve: start|continue|finish|abort|status. */
  subcommand?: string;
  /** resolve start: who authorised the agent to resolve (recorded in the report). */
  authorisedBy?: string;
  /** resolve finish: publish without validation (needs --reason). */
  noValidate: boolean;
}

/** Flags only some commands accept; any other command given one is a usage error. */
const COMMAND_FLAGS: Record<string, readonly CommandName[]> = {
  write: ['prompt'],
  force: ['init', 'prompt'],
  'docs-dir': ['init'],
  'prompt-file': ['init'],
  trunk: ['init'],
  reason: ['lock', 'resolve'],
  'authorised-by': ['resolve'],
  'no-validate': ['resolve'],
};

const RESOLVE_STEPS = ['start', 'continue', 'finish', 'abort', 'status'];

/** Parse argv with node's own parseArgs (strict: an unknown flag is a usage error, exit 2). */
export function parseCliArgs(argv: string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        repo: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'V', default: false },
        write: { type: 'string' },
        force: { type: 'boolean', default: false },
        'docs-dir': { type: 'string' },
        'prompt-file': { type: 'string' },
        trunk: { type: 'string' },
        reason: { type: 'string' },
        'authorised-by': { type: 'string' },
        'no-validate': { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    throw errors.usage(`${(err as Error).message.split('\n')[0]}; see \`rebase-daily --help\``);
  }
  const [cmd, ...positionals] = parsed.positionals;
  const sub = cmd === 'resolve' ? positionals.shift() : undefined;
  if (cmd === 'resolve' && !parsed.values.help && !RESOLVE_STEPS.includes(sub ?? '')) {
    throw errors.usage(`${sub ? `unknown step "${sub}"` : 'missing step'}; use \`rebase-daily resolve ${RESOLVE_STEPS.join('|')}\``);
  }
  const rest = positionals;
  if (rest.length) throw errors.usage(`unexpected argument "${rest[0]}"; see \`rebase-daily --help\``);
  if (cmd !== undefined && !(cmd in COMMANDS) && cmd !== 'help') {
    throw errors.usage(`unknown command "${cmd}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
  }
  const v = parsed.values;
  for (const [flag, allowed] of Object.entries(COMMAND_FLAGS)) {
    const given = (v as Record<string, unknown>)[flag];
    if (given === undefined || given === false) continue;
    if (cmd && cmd !== 'help' && !allowed.includes(cmd as CommandName)) {
      throw errors.usage(`--${flag} only applies to ${allowed.map((c) => `\`rebase-daily ${c}\``).join(' and ')}; see \`rebase-daily ${cmd} --help\``);
    }
  }
  return {
    command: (cmd as CommandName | 'help' | undefined) ?? 'help',
    config: v.config,
    repo: v.repo,
    json: Boolean(v.json),
    help: Boolean(v.help) || cmd === 'help',
    version: Boolean(v.version),
    write: v.write,
    force: Boolean(v.force),
    docsDir: v['docs-dir'],
    promptFile: v['prompt-file'],
    trunk: v.trunk,
    reason: v.reason,
    subcommand: sub,
    authorisedBy: v['authorised-by'],
    noValidate: Boolean(v['no-validate']),
  };
}
