import { describe, expect, it } from 'vitest';
import { generatedHistory } from './generated-history.js';
import { datesBetween, renderDashboard } from './render-dashboard.js';

const assets = { js: '/* uplot */', css: '/* css */' };

describe('datesBetween', () => {
  it.each([
    ['2026-11-30', '2026-12-02', ['2026-11-30', '2026-12-01', '2026-12-02']],
    ['2026-12-05', '2026-12-05', ['2026-12-05']],
    ['2024-02-28', '2024-03-01', ['2024-02-28', '2024-02-29', '2024-03-01']],
  ])('%s … %s', (a, b, want) => expect(datesBetween(a, b)).toEqual(want));
});

describe('renderDashboard', () => {
  const entries = generatedHistory(new Date(2026, 11, 7, 12));

  it('one cell per calendar day; a day without a run is a grey cell, not a gap', () => {
    const html = renderDashboard({ forks: [{ name: 'f', entries: entries.filter((_, i) => i !== 5), risk: [], summariesHref: 'x', malformed: 0 }], assets });
    expect(html.match(/class="day outcome-/g)).toHaveLength(30);
    expect(html.match(/class="day outcome-none"/g)).toHaveLength(1);
  });

  it('escapes what it shows and keeps the embedded data from closing its script', () => {
    const evil = entries.map((e) => (e.conflict ? { ...e, conflict: { ...e.conflict, files: ['<img src=x onerror=alert(1)>'] } } : e));
    const html = renderDashboard({ forks: [{ name: '</script><b>', entries: evil, risk: [], summariesHref: 'x', malformed: 2 }], assets });
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('</script><b>');
    expect(html).toContain('2 malformed ledger line(s) skipped');
  });

  it('a fleet: a row per fork, then each fork with its own charts; a fork that could not be read says why', () => {
    const html = renderDashboard({
      forks: [
        { name: 'alpha', entries, risk: [], summariesHref: 'a', malformed: 0 },
        { name: 'beta', entries: [], risk: [], summariesHref: 'b', malformed: 0, problem: 'config /b.json: trunk: is required' },
      ],
      assets,
    });
    expect(html.match(/class="fork-row"/g)).toHaveLength(2);
    expect(html).toContain('id="behind-0"');
    expect(html).not.toContain('id="behind-1"');
    expect(html).toContain('config /b.json: trunk: is required');
  });
});
