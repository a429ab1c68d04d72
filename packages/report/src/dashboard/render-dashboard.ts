import { STAGES } from '@rebase-daily/core';
import { DASHBOARD_CLIENT } from './dashboard-client.js';
import { DASHBOARD_STYLE } from './dashboard-style.js';
import { forkView, type ForkDashboardInput, type ForkView } from './dashboard-model.js';

export interface RenderDashboardOptions {
  forks: ForkDashboardInput[];
  /** uPlot's minified IIFE build and its CSS, inlined into the page (see `uplotAssets`). */
  assets: { js: string; css: string };
  generatedAt?: Date;
  title?: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** JSON inside <script>: no `</script>` or `<!--` can end it early. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');
const fmtDays = (n: number | null) => (n === null ? '?' : n < 1 ? n.toFixed(1) : String(Math.round(n * 10) / 10));

/**
 * The dashboard: one self-contained HTML page (no server, no network; uPlot inlined) for one fork or
 * a fleet. Pure: everything it shows comes from `forks`.
 */
export function renderDashboard(options: RenderDashboardOptions): string {
  const views = options.forks.map(forkView);
  const generated = (options.generatedAt ?? new Date()).toISOString();
  const title = options.title ?? (views.length === 1 ? `rebase-daily — ${views[0]!.name}` : `rebase-daily — fleet of ${views.length} forks`);
  const data = { stages: STAGES, forks: views.map((v) => ({ name: v.name, days: v.days })) };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${options.assets.css}</style>
<style>${DASHBOARD_STYLE}</style>
</head>
<body>
<header><h1>${esc(title)}</h1><p class="generated">generated ${esc(generated)} · one file, no network</p></header>
${views.length > 1 ? fleetTable(views) : ''}
${views.map((v, i) => forkSection(v, i, views.length > 1)).join('\n')}
<script id="dashboard-data" type="application/json">${scriptJson(data)}</script>
<script>${options.assets.js}</script>
<script>${DASHBOARD_CLIENT}</script>
</body>
</html>
`;
}

function fleetTable(views: ForkView[]): string {
  const rows = views.map(
    (v, i) =>
      `<tr class="fork-row"><td><a href="#fork-${i}">${esc(v.name)}</a></td><td>${v.problem ? `<span class="problem">${esc(v.problem)}</span>` : v.latest ? `<span class="badge outcome-${esc(v.latest.outcome)}">${esc(v.latest.outcome)}</span> ${esc(v.latest.date)}` : 'no runs'}</td><td class="num">${v.latest ? fmtDays(v.latest.behind) : ''}</td><td class="num">${v.latest?.queue ?? ''}</td><td class="num">${v.successRate === null ? '' : `${v.successRate} %`}</td><td>${v.risk[0] ? esc(`${v.risk[0].sha.slice(0, 10)} ${v.risk[0].subject}`) : ''}</td></tr>`,
  );
  return `<section class="fleet"><h2>Fleet</h2><table><thead><tr><th>Fork</th><th>Last day</th><th>Days behind</th><th>Queue</th><th>Green days</th><th>Most at risk</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function forkSection(v: ForkView, i: number, fleet: boolean): string {
  if (v.problem) return `<section class="fork" id="fork-${i}"><h2>${esc(v.name)}</h2><p class="problem">${esc(v.problem)}</p></section>`;
  const head = fleet ? `<h2>${esc(v.name)}</h2>` : '';
  const latest = v.latest ? `<p class="headline">Last day ${esc(v.latest.date)}: <span class="badge outcome-${esc(v.latest.outcome)}">${esc(v.latest.outcome)}</span> · ${fmtDays(v.latest.behind)} days behind upstream · ${v.latest.queue ?? '?'} patches in the queue${v.successRate === null ? '' : ` · ${v.successRate} % green days`}</p>` : '<p class="headline">No runs recorded yet.</p>';
  const warn = v.malformed ? `<p class="problem">${v.malformed} malformed ledger line(s) skipped (see <code>rebase-daily history</code>).</p>` : '';
  return `<section class="fork" id="fork-${i}" data-fork="${esc(v.name)}">
${head}${latest}${warn}
<h3>Outcome calendar</h3>
${calendar(v, i)}
<div class="grid">
<figure><figcaption>Days behind upstream</figcaption><div class="chart" id="behind-${i}"></div></figure>
<figure><figcaption>Queue size and dropped patches</figcaption><div class="chart" id="queue-${i}"></div></figure>
<figure><figcaption>Stage durations (s)</figcaption><div class="chart" id="stages-${i}"></div></figure>
</div>
<div class="grid">
<div><h3>Files that conflicted most</h3>${conflictTable(v)}</div>
<div><h3>Conflict-risk forecast</h3><p class="note">Upstream's churn over the last 30 days on the files each patch touches: the top patch is the likeliest to conflict next.</p>${riskTable(v)}</div>
</div>
</section>`;
}

function calendar(v: ForkView, i: number): string {
  if (!v.days.length) return '<p>No days yet.</p>';
  const byDate = new Map(v.days.map((d) => [d.date, d]));
  const cells: string[] = [];
  // Every calendar day from the first to the last: a day with no run is a grey cell, not a gap.
  for (const date of datesBetween(v.days[0]!.date, v.days.at(-1)!.date)) {
    const d = byDate.get(date);
    cells.push(
      d
        ? `<a class="day outcome-${esc(d.outcome)}" href="${esc(d.href)}" title="${esc(`${d.date}: ${d.outcome}${d.runs > 1 ? ` (last of ${d.runs} runs)` : ''} · ${fmtDays(d.behind)} days behind`)}" data-date="${esc(d.date)}" data-outcome="${esc(d.outcome)}"><span>${Number(d.date.slice(8))}</span></a>`
        : `<span class="day outcome-none" title="${esc(`${date}: no run`)}" data-date="${esc(date)}"><span>${Number(date.slice(8))}</span></span>`,
    );
  }
  const outcomes = [...new Set(v.days.map((d) => d.outcome))];
  const legend = outcomes.map((o) => `<span class="legend-item"><span class="swatch outcome-${esc(o)}"></span>${esc(o)}</span>`).join(' ');
  return `<div class="calendar" id="calendar-${i}">${cells.join('')}</div><p class="legend">${legend}${cells.length > v.days.length ? ' <span class="legend-item"><span class="swatch outcome-none"></span>no run</span>' : ''}</p>`;
}

/** YYYY-MM-DD from `first` to `last` inclusive (calendar dates, no time zone involved). */
export function datesBetween(first: string, last: string): string[] {
  const out: string[] = [];
  const d = new Date(`${first}T00:00:00Z`);
  const end = new Date(`${last}T00:00:00Z`).getTime();
  while (d.getTime() <= end && out.length < 3660) {
    out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

function conflictTable(v: ForkView): string {
  if (!v.conflicts.length) return '<p>No conflicts recorded.</p>';
  const rows = v.conflicts.map((c) => `<tr><td><code>${esc(c.file)}</code></td><td class="num">${c.days}</td><td>${c.patches.map((p) => esc(p)).join('<br>')}</td><td>${esc(c.last.slice(0, 10))}</td></tr>`);
  return `<table class="conflicts"><thead><tr><th>File</th><th>Times</th><th>Patches involved</th><th>Last</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function riskTable(v: ForkView): string {
  if (!v.risk.length) return '<p>No queue patches (or the repository could not be read).</p>';
  const max = Math.max(1, ...v.risk.map((r) => r.churn));
  const rows = v.risk.map(
    (r, n) =>
      `<tr class="risk-row"><td class="num">${n + 1}</td><td><code>${esc(r.sha.slice(0, 10))}</code> ${esc(r.subject)}</td><td class="num">${r.churn}<span class="bar" style="width:${Math.round((r.churn / max) * 80)}px"></span></td><td class="num">${r.commits}</td><td>${r.files
        .slice(0, 3)
        .map((f) => `<code>${esc(f.file)}</code> (${f.churn})`)
        .join(', ')}</td></tr>`,
  );
  return `<table class="risk"><thead><tr><th>#</th><th>Patch</th><th>Churn (lines)</th><th>Commits</th><th>Hot files</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
