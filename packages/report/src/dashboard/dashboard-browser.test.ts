import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundRunner, CommandLog } from '@rebase-daily/core';
import { createForkFixture, makeTempDir, removeDir, type ForkFixture } from '@rebase-daily/core/testing';
import { appendHistory, readHistory } from '../history/history-ledger.js';
import { GENERATED_OUTCOMES, generatedHistory } from './generated-history.js';
import { conflictRiskForecast } from './risk-forecast.js';
import { writeDashboard } from './write-dashboard.js';

// The dashboard as a person sees it: 30 generated days written through the real ledger writer, a
// real fork for the forecast, the page rendered and opened in Debian's headless Chromium (driven by
// puppeteer-core; no browser download). Every request but the page itself is refused, so a page
// that needed the network would show it here.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const artifacts = join(packageRoot, 'test-artifacts');

let browser: Browser;
let dir = '';
let fork: ForkFixture;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  fork?.cleanup();
  if (dir) removeDir(dir);
});

describe('dashboard in headless Chromium', () => {
  it('shows 30 calendar cells with the right outcome classes, a 30-point behind-upstream chart, no console errors', async () => {
    dir = makeTempDir('rd-dashboard-');
    const scratch = join(dir, 'scratch');
    for (const e of generatedHistory()) appendHistory(scratch, e);
    const history = readHistory(scratch);
    expect(history.malformed).toEqual([]);
    fork = createForkFixture({
      base: { 'src/net/client.rs': 'fn get() {}\n', 'src/net/retry.rs': 'fn retry() {}\n', 'Cargo.lock': 'v1\n', 'README.md': 'x\n' },
      patches: [
        { files: { 'src/net/client.rs': 'fn get() { retry() }\n' }, message: 'fork: retry idempotent requests' },
        { files: { 'Cargo.lock': 'v1-fork\n' }, message: 'fork: pin tokio' },
        { files: { 'FORK.md': 'notes\n' }, message: 'fork: add notes' },
      ],
      upstreamCommits: [
        { files: { 'src/net/client.rs': 'fn get() {}\nfn post() {}\n' }, message: 'upstream: post' },
        { files: { 'src/net/client.rs': 'fn get() {}\nfn post() {}\nfn put() {}\n', 'Cargo.lock': 'v2\n' }, message: 'upstream: put, bump deps' },
      ],
    });
    const risk = await conflictRiskForecast(boundRunner(new CommandLog()), fork.clone, { upstream: `upstream/${fork.upstreamBranch}`, trunk: fork.trunk });
    const out = join(dir, 'dashboard.html');
    writeDashboard(out, [{ name: 'acme-fork', entries: history.entries, risk, summariesHref: 'scratch/rebase-daily', malformed: 0 }]);

    const page = await browser.newPage();
    await page.setViewport({ width: 1500, height: 900 });
    const problems: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
    page.on('pageerror', (e) => problems.push(`page error: ${String(e)}`));
    await page.setRequestInterception(true);
    page.on('request', (r) => {
      if (r.url() === pathToFileURL(out).href) return void r.continue();
      problems.push(`request: ${r.url()}`);
      void r.abort();
    });
    await page.goto(pathToFileURL(out).href, { waitUntil: 'load' });

    const cells = await page.$$eval('#calendar-0 .day', (els) => els.map((e) => ({ cls: e.className, href: e.getAttribute('href') })));
    expect(cells).toHaveLength(30);
    expect(cells.map((c) => c.cls)).toEqual(GENERATED_OUTCOMES.map((o) => `day outcome-${o}`));
    expect(cells[0]!.href).toMatch(/^scratch\/rebase-daily\/\d{4}-\d{2}-\d{2}\/summary\.md$/);
    // Page-side code as strings: this package compiles without the DOM lib.
    const colours = (await page.evaluate(`[...new Set([...document.querySelectorAll('#calendar-0 .day')].map((e) => getComputedStyle(e).backgroundColor))]`)) as string[];
    expect(colours.length).toBe(new Set(GENERATED_OUTCOMES).size);

    const behind = (await page.evaluate(
      `(() => { const u = window.rebaseDailyCharts['behind:0']; return { xs: u.data[0].length, ys: u.data[1].filter((y) => y !== null).length, canvas: [u.ctx.canvas.width, u.ctx.canvas.height] }; })()`,
    )) as { xs: number; ys: number; canvas: number[] };
    expect(behind.xs).toBe(30);
    expect(behind.ys).toBe(30);
    expect(behind.canvas[0]).toBeGreaterThan(300);
    const charts = (await page.evaluate('Object.keys(window.rebaseDailyCharts).sort()')) as string[];
    expect(charts).toEqual(['behind:0', 'queue:0', 'stages:0']);

    const conflicted = (await page.evaluate(`[...document.querySelectorAll('table.conflicts tbody tr')].map((r) => r.innerText)`)) as string[];
    expect(conflicted[0]).toMatch(/src\/net\/client\.rs\s+4\s+\S+ fork: retry idempotent requests/);
    const ranked = (await page.evaluate(`[...document.querySelectorAll('table.risk tbody tr')].map((r) => r.cells[1].innerText)`)) as string[];
    expect(ranked.map((r) => r!.replace(/^\S+ /, ''))).toEqual(['fork: retry idempotent requests', 'fork: pin tokio', 'fork: add notes']);

    expect(problems).toEqual([]);
    mkdirSync(artifacts, { recursive: true });
    const shot = join(artifacts, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot)).toBe(true);
    // `UPDATE_DOCS_SCREENSHOT=1` refreshes the picture the docs show.
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1') {
      mkdirSync(join(packageRoot, '..', '..', 'docs', 'images'), { recursive: true });
      copyFileSync(shot, join(packageRoot, '..', '..', 'docs', 'images', 'dashboard.png'));
    }
    copyFileSync(out, join(artifacts, 'dashboard.html'));
    await page.close();
  }, 90_000);
});
