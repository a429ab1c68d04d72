import { describe, expect, it } from 'vitest';
import { EXIT_CODE_MEANINGS } from '@rebase-daily/core';
import { COMMAND_FLAGS, COMMANDS, type CommandName } from './args.js';
import { COMMAND_HELP } from './command-help.js';
import { helpText } from './help.js';
import { main } from './main.js';

const commands = Object.keys(COMMANDS) as CommandName[];

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: {}, cwd: process.cwd(), isTTY: false });
  return { code, stdout, stderr };
}

/** The section of a help text after `title:` up to the next blank line. */
function section(text: string, title: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(title));
  if (start < 0) return [];
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

describe('per-command help', () => {
  it.each(commands)('help %s matches its snapshot', (command) => {
    expect(helpText(command)).toMatchSnapshot();
  });

  it('the top-level help matches its snapshot', () => {
    expect(helpText()).toMatchSnapshot();
  });

  it.each(commands)('help %s lists only its own flags, its own exit codes, and an example', (command) => {
    const text = helpText(command);
    const flags = section(text, 'Flags:').map((l) => l.trim().split(' ')[0]);
    expect(flags.sort()).toEqual(COMMAND_FLAGS[command].map((f) => `--${f}`).sort());
    // No flag meaning mentions another command ("init: where to write it" under `help resolve`).
    for (const line of section(text, 'Flags:')) for (const other of commands.filter((c) => c !== command && c !== 'lock')) expect(line, line).not.toMatch(new RegExp(`(?: {2}|; )${other}:`));
    const codes = section(text, 'Exit codes:').map((l) => Number(l.trim().split(' ')[0]));
    expect(codes).toEqual([...COMMAND_HELP[command].exitCodes].sort((a, b) => a - b));
    expect(codes.length).toBeLessThan(Object.keys(EXIT_CODE_MEANINGS).length + (command === 'daily' ? 1 : 0));
    expect(section(text, 'Example:')[0]).toMatch(new RegExp(`rebase-daily ${command}\\b`));
  });

  it.each(commands)('help %s: every table has one aligned second column', (command) => {
    for (const title of ['Flags:', 'Exit codes:', 'Environment:', 'Steps']) {
      const rows = section(helpText(command), title);
      if (!rows.length) continue;
      // The second column starts at the same offset on every row: two spaces after the widest left cell.
      const starts = new Set(rows.map((r) => /^ {2} *\S(?:\S| (?! ))* {2,}(?=\S)/.exec(r)?.[0].length));
      expect(starts.size, `${command} ${title}\n${rows.join('\n')}`).toBe(1);
    }
  });

  it('help resolve explains its seven steps in the order they are run', () => {
    const steps = section(helpText('resolve'), 'Steps').map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '));
    expect(steps).toEqual(['1. start', '2. continue', '3. fixup', '4. edit', '5. finish', '6. abort', '7. status']);
    expect(helpText('resolve')).toContain('Usage: rebase-daily resolve <step> ');
  });

  it('a bare `rebase-daily` prints the usage on stderr and exits 2; --help exits 0', async () => {
    const bare = await run([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toBe(helpText());
    const json = await run(['--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).errors[0].code).toBe('E_USAGE');
    expect((await run(['--help'])).code).toBe(0);
    expect((await run(['help'])).code).toBe(0);
  });
});
