import { EXIT_CODE_MEANINGS } from '@rebase-daily/core';
import { COMMANDS, type CommandName } from './args.js';

export const FLAGS: Record<string, string> = {
  '--config FILE': 'config file (else $REBASE_DAILY_CONFIG, else ./rebase-daily.json)',
  '--repo DIR': "operate on this clone instead of the config's repo",
  '--json': 'print one JSON envelope on stdout (progress stays on stderr)',
  '--help': 'this help',
};

export function helpText(command?: CommandName): string {
  const lines: string[] = [];
  if (command) {
    lines.push(`rebase-daily ${command} — ${COMMANDS[command]}`, '', `Usage: rebase-daily ${command} [--config FILE] [--repo DIR] [--json]`);
  } else {
    lines.push('rebase-daily — rebase a fork trunk onto upstream, safely, once a day', '', 'Usage: rebase-daily <command> [--config FILE] [--repo DIR] [--json]', '', 'Commands:');
    for (const [name, text] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(9)} ${text}`);
  }
  lines.push('', 'Flags:');
  for (const [flag, text] of Object.entries(FLAGS)) lines.push(`  ${flag.padEnd(14)} ${text}`);
  lines.push('', 'Environment:', '  REBASE_DAILY_CONFIG  config file when --config is absent', '  FORCE_STALE_LOCK=1   break a lock older than lock.staleAfterHours (never a fresh one); recorded in the report');
  lines.push('', 'Exit codes:');
  for (const [code, text] of Object.entries(EXIT_CODE_MEANINGS)) lines.push(`  ${code.padStart(2)}  ${text}`);
  return `${lines.join('\n')}\n`;
}
