/** The page's CSS; outcome colours are shared by the calendar, the badges and the legend. */
export const DASHBOARD_STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1900px; padding: 16px 24px; color: #1d2330; background: #fafbfc; }
h1 { font-size: 22px; margin: 0; } h2 { font-size: 18px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; } h3 { font-size: 15px; margin: 14px 0 6px; }
.generated, .note, .legend { color: #57606a; font-size: 12px; }
.headline { font-size: 15px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 12px 24px; }
figure { margin: 0; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px; } figcaption { font-weight: 600; margin-bottom: 4px; }
table { border-collapse: collapse; width: 100%; background: #fff; } th, td { border: 1px solid #d0d7de; padding: 3px 6px; text-align: left; vertical-align: top; } th { background: #f0f3f6; } td.num { text-align: right; white-space: nowrap; }
.calendar { display: grid; grid-template-columns: repeat(auto-fill, 34px); gap: 4px; }
.day { display: block; width: 34px; height: 34px; border-radius: 4px; color: #fff; text-decoration: none; font-size: 11px; text-align: center; line-height: 34px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin: 0 4px 0 10px; vertical-align: middle; }
.badge { color: #fff; border-radius: 4px; padding: 1px 6px; }
.bar { display: inline-block; height: 8px; margin-left: 6px; background: #d62728; border-radius: 2px; }
.problem { color: #b42318; }
.outcome-success { background: #2da44e; } .outcome-no-change { background: #8fd19e; color: #1d2330; } .outcome-partial { background: #bf8700; }
.outcome-verify-conflict { background: #fb8500; } .outcome-apply-conflict { background: #bc4c00; } .outcome-validation-failed { background: #cf222e; } .outcome-push-blocked { background: #8250df; }
.outcome-graphite-failed { background: #9a6700; } .outcome-lock-taken { background: #6e7781; } .outcome-error, .outcome-usage-error { background: #6e0f14; } .outcome-none { background: #eaeef2; color: #57606a; } .outcome-interrupted { background: #57606a; } .outcome-resolved { background: #0969da; }
`;
