export {
  type ReportResult,
  type ReportComparison,
  type ReportLossCurve,
  type ReportPlan,
  type ReportStage,
  type ReportInput,
  type ReportFiles,
} from "./types.js";
export { writeReport, validateReportInput, reportJson } from "./write.js";
export { renderReportHtml } from "./html.js";
export { renderReportMarkdown } from "./markdown.js";
export { renderVegaLite } from "./charts.js";
export { reportResultsFromTable, reportComparisonsFromTable } from "./from-comparison.js";
export { transportPlanSvg } from "./plan-svg.js";
export {
  expectedScoreSchema,
  expectedScoresSchema,
  parseExpectedScores,
  readExpectedScores,
  reportRows,
  readReportRows,
  checkReport,
  expectedFromReport,
  formatCheck,
  type ExpectedScore,
  type ExpectedScores,
  type ReportRow,
  type CheckedScore,
  type CheckResult,
} from "./expected.js";
