/** Table rows shared by the HTML and markdown reports. */
import type { ReportComparison, ReportResult, ReportStage } from "./types.js";

export const f4 = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? "-" : x.toFixed(4));
export const fp = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? "-" : x < 1e-4 ? x.toExponential(1) : x.toFixed(4);

export const RESULT_HEAD = ["benchmark", "language", "system", "measure", "value", "95% CI", "p vs baseline", "baseline", "sig."];
export function resultCells(r: ReportResult): string[] {
  return [r.benchmark, r.language, r.system, r.measure, f4(r.value), `[${f4(r.ci_low)}, ${f4(r.ci_high)}]`, fp(r.p_vs_baseline), r.baseline ?? "-", r.significant === null ? "-" : r.significant ? "*" : ""];
}

export const COMPARISON_HEAD = ["benchmark", "language", "measure", "A", "B", "mean A", "mean B", "p", "p adj.", "test", "correction"];
export function comparisonCells(c: ReportComparison): string[] {
  return [c.benchmark, c.language, c.measure, c.systemA, c.systemB, f4(c.meanA), f4(c.meanB), fp(c.p), fp(c.pAdjusted), c.test, c.correction];
}

export const STAGE_HEAD = ["stage", "seconds", "cached"];
export function stageCells(s: ReportStage): string[] {
  return [s.name, s.seconds.toFixed(2), s.cached ? "yes" : "no"];
}
