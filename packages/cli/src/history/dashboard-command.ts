import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { boundRunner, CommandLog, errors, loadConfig, type ResolvedConfig } from '@rebase-daily/core';
import { collectFork, dashboardPathFor, writeDashboard, type ForkDashboardInput } from '@rebase-daily/report';
import { z } from 'zod';
import type { ParsedArgs } from '../args.js';
import { emit } from '../emit.js';
import { envelope } from '../envelope.js';
import type { CliIO } from '../io.js';

/** The fleet summary another tool writes: only `forks[].name` and `.config` are read; other keys are kept as they are. */
const FleetSchema = z.looseObject({ forks: z.array(z.looseObject({ name: z.string().min(1), config: z.string().min(1) })).min(1) });

interface ForkRef {
  name: string | null;
  configPath: string;
}

/** Which forks the page shows: --fleet FILE, several --config, or the one config main loaded. */
export function fleetForks(io: CliIO, args: ParsedArgs): ForkRef[] | null {
  if (args.fleet) {
    const path = resolve(io.cwd, args.fleet);
    if (!existsSync(path)) throw errors.fleetInvalid(path, 'not found');
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw errors.fleetInvalid(path, `not valid JSON (${(err as Error).message})`);
    }
    const parsed = FleetSchema.safeParse(raw);
    if (!parsed.success) throw errors.fleetInvalid(path, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
    return parsed.data.forks.map((f) => ({ name: f.name, configPath: resolve(dirname(path), f.config) }));
  }
  if (args.configs.length > 1) return args.configs.map((c) => ({ name: null, configPath: resolve(io.cwd, c) }));
  return null;
}

/**
 * `dashboard [--out FILE] [--days N]`: write the self-contained HTML page. One fork (the config),
 * or a fleet (--fleet FILE, or --config repeated): a row per fork and the same charts per fork. A
 * fork of a fleet whose config does not load is shown with its problem; the others still render.
 */
export async function dashboardCommand(io: CliIO, args: ParsedArgs, single: ResolvedConfig | null, fleet: ForkRef[] | null): Promise<number> {
  const run = boundRunner(new CommandLog());
  const out = args.out ? resolve(io.cwd, args.out) : single ? dashboardPathFor(single) : resolve(io.cwd, 'rebase-daily-fleet.html');
  const now = new Date();
  const forks: ForkDashboardInput[] = [];
  const problems: string[] = [];
  for (const ref of fleet ?? []) {
    const loaded = loadConfig({ configPath: ref.configPath, cwd: io.cwd, env: io.env });
    if (!loaded.ok) {
      const problem = `config ${ref.configPath}: ${loaded.errors.join('; ')}`;
      problems.push(problem);
      forks.push({ name: ref.name ?? basename(dirname(ref.configPath)), entries: [], risk: [], summariesHref: '.', malformed: 0, problem });
      continue;
    }
    forks.push(await collectFork(loaded.config, run, { outDir: dirname(out), name: ref.name ?? undefined, days: args.days, now }));
  }
  if (single) forks.push(await collectFork(single, run, { outDir: dirname(out), days: args.days, now }));
  writeDashboard(out, forks, now);
  const data = { path: out, forks: forks.map((f) => ({ name: f.name, entries: f.entries.length, patches: f.risk.length, malformed: f.malformed, problem: f.problem ?? null })) };
  const lines = [`wrote ${out} (${forks.length === 1 ? `${forks[0]!.entries.length} ledger entries` : `${forks.length} forks`})`, ...problems.map((p) => `warning: ${p}`)];
  return emit(io, args, envelope('dashboard', 0, null, data), lines.join('\n'));
}
