#!/usr/bin/env node
import { guardClosedOutput } from './io.js';
import { main } from './main.js';

guardClosedOutput();

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`rebase-daily: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
