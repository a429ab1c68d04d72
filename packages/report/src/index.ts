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
