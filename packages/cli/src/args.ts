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
} as const;
export type CommandName = keyof typeof COMMANDS;

export interface ParsedArgs {
  command: CommandName | 'help';
  config?: string;
  repo?: string;
  json: boolean;
  help: boolean;
  version: boolean;
}

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
      },
    });
  } catch (err) {
    throw errors.usage(`${(err as Error).message.split('\n')[0]}; see \`rebase-daily --help\``);
  }
  const [cmd, ...rest] = parsed.positionals;
  if (rest.length) throw errors.usage(`unexpected argument "${rest[0]}"; see \`rebase-daily --help\``);
  if (cmd !== undefined && !(cmd in COMMANDS) && cmd !== 'help') {
    throw errors.usage(`unknown command "${cmd}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
  }
  const v = parsed.values;
  return {
    command: (cmd as CommandName | 'help' | undefined) ?? 'help',
    config: v.config,
    repo: v.repo,
    json: Boolean(v.json),
    help: Boolean(v.help) || cmd === 'help',
    version: Boolean(v.version),
  };
}
