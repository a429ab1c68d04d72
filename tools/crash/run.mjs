#!/usr/bin/env node
// Crash injection, unbounded: SIGKILL the CLI's `daily` at random moments (and inside the push) on
// generated forks, for both engines, and print what each kill left and how the next runs recovered.
//
//   node tools/crash/run.mjs [--kills N] [--seed S] [--engines memory,worktree] [--json]
//
// Needs the built CLI (`node tools/build-all.mjs`). Exit 1 when any invariant failed.
import { crashInjection } from './harness.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const kills = Number(opt('kills', process.env.CRASH_KILLS ?? '32'));
const seed = opt('seed', process.env.CRASH_SEED) === undefined ? undefined : Number(opt('seed', process.env.CRASH_SEED));
const engines = opt('engines', 'memory,worktree').split(',');
const json = args.includes('--json');

const result = await crashInjection({
  kills,
  engines,
  seed,
  onTrial: (t) => {
    if (json) return;
    const codes = t.reruns.map((r) => `${r.code}${r.errors.length ? `(${r.errors.join(',')})` : ''}`).join(' → ');
    const flags = [t.violations.length ? `VIOLATIONS: ${t.violations.join('; ')}` : '', t.orphans.length ? `ORPHANS: ${t.orphans.map((o) => o.argv).join('; ')}` : '', t.settled.length ? `NOT SETTLED: ${t.settled.join('; ')}` : ''].filter(Boolean).join(' ');
    console.log(`${t.trialId.padEnd(12)} ${t.mode.padEnd(8)} ${String(t.delayMs).padStart(5)} ms  ${(t.phase ?? 'finished first').padEnd(20)} ${(t.inFlight ?? '').padEnd(28)} reruns: ${codes} ${flags}`);
  },
});
if (json) console.log(JSON.stringify(result, null, 2));
else console.log(`\nseed ${result.seed}, ${(result.wallMs / 1000).toFixed(1)} s\n${JSON.stringify(result.summary, null, 2)}`);
const s = result.summary;
process.exit(s.halfStatesOrLostPatches || s.orphanedChildren || s.lockTakenOnRerun || s.notRecovered.length ? 1 : 0);
