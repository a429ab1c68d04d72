export { REPORT_VERSION, REPORT_STAGE_STATUSES, ReportSchema, reportJsonSchema } from './report-schema.js';
export type { Report, ReportStage } from './report-schema.js';
export { buildReport, type BuildReportOptions } from './build-report.js';
export { findDocs, DOC_FILES, type DocsLocation } from './docs-location.js';
export { readRunData, type RunData } from './stage-data.js';
export { deriveNextActions, type NextActionsInput } from './next-actions.js';
export { renderSummary, formatDuration, notValidatedNote } from './render-summary.js';
export {
  writeReport,
  writeAtomic,
  readLatestReport,
  dayRuns,
  renderDayRuns,
  type DayRun,
  REPORT_FILE,
  SUMMARY_FILE,
  type WriteReportOptions,
  type WrittenReport,
  type LatestReport,
} from './write-report.js';
export { writeRunReport, readCommandLog, type WriteRunReportOptions } from './write-run-report.js';
export { reportLocations, type ReportLocations } from './report-paths.js';
export { HISTORY_VERSION, HistoryEntrySchema, RESOLVE_EVENTS, RESOLVE_OUTCOMES, type HistoryEntry } from './history/history-entry.js';
export { appendHistory, readHistory, parseHistory, historyPath, HISTORY_FILE, type HistoryRead, type MalformedLine } from './history/history-ledger.js';
export { entryFromReport, entryFromResolve } from './history/entry-from-report.js';
export { daysBehind, ageInDays } from './history/days-behind.js';
export { rebuildHistory, loadHistory } from './history/rebuild-history.js';
export { recordRun, type RecordedRun } from './history/record-run.js';
export { dayEntries, renderDayStory, refreshDayStory, DAY_SECTION } from './history/day-story.js';
export { renderDashboard, type RenderDashboardOptions } from './dashboard/render-dashboard.js';
export { forkView, type ForkDashboardInput, type ForkView, type DayPoint } from './dashboard/dashboard-model.js';
export { conflictRiskForecast, parseChurn, parseQueueFiles, rankPatches, type PatchRisk, type RiskForecastOptions } from './dashboard/risk-forecast.js';
export { collectFork, writeDashboard, refreshDashboard, dashboardPathFor, uplotAssets, DASHBOARD_FILE, type CollectOptions } from './dashboard/write-dashboard.js';
export { renderHistoryTable } from './history/render-history-table.js';
