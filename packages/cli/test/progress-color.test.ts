import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '@rebase-daily/core';
import { progressFor, type CliIO } from '../src/io.js';
import { resolveEnv } from '../src/resolve/command.js';
import { day, type Day } from './helpers.js';

// Every command's progress lines come from one writer (io.ts): colour only on a terminal, never with
// NO_COLOR set or TERM=dumb. resolve used to build its own and coloured on any terminal.
let d: Day | undefined;
afterEach(() => {
  d?.fixture.cleanup();
  d = undefined;
});

function capture(env: NodeJS.ProcessEnv, isTTY: boolean): { io: CliIO; err: string[] } {
  const err: string[] = [];
  return { io: { stdout: () => {}, stderr: (t) => err.push(t), env, cwd: process.cwd(), isTTY }, err };
}

describe('progress colour: the daily run and resolve write the same lines', () => {
  const COLOURED = ['\u001b[36m▸\u001b[0m step\n', '\u001b[33mwarning:\u001b[0m careful\n', '\u001b[31merror:\u001b[0m stopped\n'];
  const PLAIN = ['rebase-daily: step\n', 'rebase-daily: warning: careful\n', 'rebase-daily: error: stopped\n'];
  it.each([
    { env: {}, isTTY: true, lines: COLOURED },
    { env: { NO_COLOR: '1' }, isTTY: true, lines: PLAIN },
    { env: { NO_COLOR: '' }, isTTY: true, lines: COLOURED },
    { env: { TERM: 'dumb' }, isTTY: true, lines: PLAIN },
    { env: {}, isTTY: false, lines: PLAIN },
  ])('env $env, terminal $isTTY', async ({ env, isTTY, lines }) => {
    d = day();
    const config = loadConfig({ configPath: d.configPath });
    if (!config.ok) throw new Error(config.errors.join('; '));
    const daily = capture(env, isTTY);
    const resolve = capture(env, isTTY);
    for (const [c, p] of [[daily, progressFor(daily.io)], [resolve, resolveEnv(resolve.io, config.config).progress]] as const) {
      p.info('step');
      p.warn('careful');
      p.error('stopped');
      expect(c.err).toEqual(lines);
    }
  });
});
