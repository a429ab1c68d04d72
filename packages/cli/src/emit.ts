import { redactDeep } from '@rebase-daily/core';
import type { ParsedArgs } from './args.js';
import type { Envelope } from './envelope.js';
import type { CliIO } from './io.js';

/** Print the envelope (--json, secrets redacted) or the human text; returns the envelope's exit code. */
export function emit(io: CliIO, args: Pick<ParsedArgs, 'json'>, env: Envelope, human: string): number {
  if (args.json) io.stdout(`${JSON.stringify(redactDeep(env), null, 2)}\n`);
  else if (human) io.stdout(human.endsWith('\n') ? human : `${human}\n`);
  return env.exitCode;
}
