import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { runPaths, type ResolvedConfig, type Runner } from '@rebase-daily/core';
import { loadHistory } from '../history/rebuild-history.js';
import { writeAtomic } from '../write-report.js';
import { redactDeep } from '../redact-deep.js';
import type { ForkDashboardInput } from './dashboard-model.js';
import { renderDashboard } from './render-dashboard.js';
import { conflictRiskForecast } from './risk-forecast.js';

export const DASHBOARD_FILE = 'dashboard.html';

/**
 * uPlot's minified build and stylesheet, read from the installed npm package when the page is
 * rendered: the page carries its chart library inline and needs no network.
 */
export function uplotAssets(): { js: string; css: string } {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  return { js: readFileSync(join(dir, 'uPlot.iife.min.js'), 'utf8'), css: readFileSync(join(dir, 'uPlot.min.css'), 'utf8') };
}

/** Where the report stage writes the dashboard: `report.dashboard` as a path (relative to the repo), else `<scratch>/rebase-daily/dashboard.html`. */
export function dashboardPathFor(config: ResolvedConfig): string {
  const d = config.report.dashboard;
  if (typeof d === 'string') return isAbsolute(d) ? d : resolve(config.repoPath, d);
  return join(runPaths(config.scratchPath).base, DASHBOARD_FILE);
}

export interface CollectOptions {
  /** Folder of the HTML file (links to day summaries are relative to it). */
  outDir: string;
  /** Shown name (default: the repo folder's name). */
  name?: string;
  /** Only entries that started within the last N days. */
  days?: number;
  now?: Date;
}

/** One fork's ledger (rebuilt from its run reports when missing) and its conflict-risk forecast. */
export async function collectFork(config: ResolvedConfig, run: Runner, options: CollectOptions): Promise<ForkDashboardInput> {
  const history = await loadHistory(config.scratchPath, run);
  const now = options.now ?? new Date();
  const since = options.days ? now.getTime() - options.days * 86_400_000 : -Infinity;
  const entries = history.entries.filter((e) => new Date(e.startedAt).getTime() >= since);
  const risk = await conflictRiskForecast(run, config.repoPath, { upstream: `${config.remotes.upstream}/${config.upstreamBranch}`, trunk: config.trunk, now });
  const href = relative(options.outDir, runPaths(config.scratchPath).base).split('\\').join('/') || '.';
  return { name: options.name ?? basename(config.repoPath), entries, risk, summariesHref: href, malformed: history.malformed.length };
}

/** Render and write the page atomically; returns its path. */
export function writeDashboard(out: string, forks: ForkDashboardInput[], now?: Date): string {
  // Every fact on the page (subjects, paths, names) passes core's redaction, as every other output does;
  // the inlined chart library is not data and is left as it is.
  writeAtomic(out, renderDashboard({ forks: redactDeep(forks), assets: uplotAssets(), generatedAt: now }));
  return out;
}

/** The report stage's refresh: this fork's dashboard at `dashboardPathFor(config)`. */
export async function refreshDashboard(config: ResolvedConfig, run: Runner): Promise<string> {
  const out = dashboardPathFor(config);
  return writeDashboard(out, [await collectFork(config, run, { outDir: dirname(out) })]);
}
