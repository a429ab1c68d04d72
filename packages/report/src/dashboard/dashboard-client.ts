/**
 * The page's own script: draws the charts of every fork with uPlot from the JSON embedded in the
 * page. Kept as plain ES5-ish text (no build step, no template literals) and exposes the uPlot
 * instances as `window.rebaseDailyCharts` (keyed `<chart>:<fork index>`) for tests and curious users.
 */
export const DASHBOARD_CLIENT = String.raw`
(function () {
  var data = JSON.parse(document.getElementById('dashboard-data').textContent);
  var charts = {};
  window.rebaseDailyCharts = charts;
  var STAGE_COLOURS = { verify: '#4e79a7', apply: '#f28e2b', align: '#76b7b2', validate: '#59a14f', publish: '#edc948', report: '#b07aa1' };
  function width(el) { return Math.max(320, Math.min(900, el.clientWidth || 600)); }
  function chart(key, el, series, cols, opts) {
    var o = {
      width: width(el), height: 220,
      scales: { x: { time: true } },
      axes: [{}, { label: opts && opts.label || '' }],
      series: [{}].concat(series),
      legend: { live: false },
      cursor: { drag: { x: false, y: false } }
    };
    charts[key] = new uPlot(o, cols, el);
  }
  data.forks.forEach(function (fork, i) {
    var days = fork.days;
    if (!days.length) return;
    var t = days.map(function (d) { return d.t; });
    var el = document.getElementById('behind-' + i);
    if (el) chart('behind:' + i, el, [{ label: 'days behind upstream', stroke: '#d62728', width: 2, points: { show: true, size: 6 } }], [t, days.map(function (d) { return d.behind; })], { label: 'days' });
    el = document.getElementById('queue-' + i);
    if (el) chart('queue:' + i, el, [
      { label: 'queue size', stroke: '#1f77b4', width: 2, points: { show: true } },
      { label: 'dropped (upstream has them)', stroke: '#ff7f0e', width: 2, points: { show: true } }
    ], [t, days.map(function (d) { return d.queue; }), days.map(function (d) { return d.dropped; })], { label: 'patches' });
    el = document.getElementById('stages-' + i);
    if (el) {
      var names = data.stages.filter(function (s) { return days.some(function (d) { return d.stages[s] != null; }); });
      chart('stages:' + i, el, names.map(function (s) {
        return { label: s, stroke: STAGE_COLOURS[s] || '#888', width: 2, points: { show: true } };
      }), [t].concat(names.map(function (s) { return days.map(function (d) { return d.stages[s] == null ? null : Math.round(d.stages[s] / 100) / 10; }); })), { label: 'seconds' });
    }
  });
})();
`;
