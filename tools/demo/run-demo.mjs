#!/usr/bin/env node
// `npm run demo`: build the demo fork (first time only), run the daily graph through Nx exactly as
// cron would (tools/rebase/daily.mjs), and print the day's summary. Running it again is a no-op day.
//   npm run demo               (keeps an existing demo fork)
//   npm run demo -- --fresh    (recreates it)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDemoFork } from './create-demo-fork.mjs';

const workspace = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(workspace, 'demo-fork');
const { created } = createDemoFork(dir, { overwrite: process.argv.includes('--fresh') });
process.stderr.write(created ? `demo: created a fresh demo fork in ${dir}\n` : `demo: reusing the demo fork in ${dir} (npm run demo -- --fresh recreates it)\n`);

const r = spawnSync(process.execPath, [join(workspace, 'tools', 'rebase', 'daily.mjs'), '--config', join(dir, 'rebase-daily.json')], { cwd: workspace, stdio: 'inherit' });
const code = r.status ?? 1;
const base = join(dir, 'fork', '.scratch', 'rebase-daily');
const days = existsSync(base) ? readdirSync(base).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort() : [];
const day = days.length ? join(base, days[days.length - 1]) : null;
if (day && existsSync(join(day, 'summary.md'))) {
  process.stdout.write(`\n${readFileSync(join(day, 'summary.md'), 'utf8')}\n(report: ${join(day, 'report.json')})\n`);
}
process.exit(code);
