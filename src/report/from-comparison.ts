/** Helpers turning comparison tables into report rows (the experiment fills ReportInput with them). */
import type { ComparisonTable } from "../eval/compare.js";
import type { ReportComparison, ReportResult } from "./types.js";

/**
 * One ReportResult per (system, measure) row of a table; p_vs_baseline is the corrected p-value.
 * @example
 * ```ts
 * import { compareScores, reportResultsFromTable } from "xlir";
 * const perQuery = (xs: number[]) => new Map([["RR@10", new Map(xs.map((x, i) => [`q${i}`, x]))]]);
 * const table = compareScores({
 *   scores: new Map([["bm25", perQuery([0.1, 0.2, 0.3, 0.2])], ["ot", perQuery([0.5, 0.6, 0.4, 0.7])]]),
 *   baseline: "bm25",
 *   measures: ["RR@10"],
 *   bootstrap: 200,
 * });
 * const rows = reportResultsFromTable(table, "help", "eu");
 * const ot = rows.find((r) => r.system === "ot")!;
 * console.assert(rows.length === 2 && ot.benchmark === "help" && ot.baseline === "bm25");
 * console.assert(Math.abs(ot.value - 0.55) < 1e-12 && ot.ci_low! <= ot.value && ot.value <= ot.ci_high!);
 * ```
 */
export function reportResultsFromTable(
  table: ComparisonTable,
  benchmark: string,
  language: string,
): ReportResult[] {
  return table.rows.map((r) => ({
    benchmark,
    language,
    system: r.system,
    measure: r.measure,
    value: r.mean,
    ci_low: r.ciLow,
    ci_high: r.ciHigh,
    p_vs_baseline: r.pAdjusted,
    baseline: table.baseline,
    significant: r.significant,
  }));
}

/**
 * The comparison of systemA against systemB (= the table's baseline) for each measure.
 * @example
 * ```ts
 * import { compareScores, reportComparisonsFromTable } from "xlir";
 * const perQuery = (xs: number[]) => new Map([["RR@10", new Map(xs.map((x, i) => [`q${i}`, x]))]]);
 * const table = compareScores({
 *   scores: new Map([["bm25", perQuery([0.1, 0.2, 0.3, 0.2])], ["ot", perQuery([0.5, 0.6, 0.4, 0.7])]]),
 *   baseline: "bm25",
 *   measures: ["RR@10"],
 *   bootstrap: 200,
 * });
 * const [c] = reportComparisonsFromTable(table, "help", "eu", "ot");
 * console.assert(c.systemA === "ot" && c.systemB === "bm25" && c.measure === "RR@10");
 * console.assert(Math.abs(c.meanA - 0.55) < 1e-12 && Math.abs(c.meanB - 0.2) < 1e-12 && c.p < 0.05);
 * ```
 */
export function reportComparisonsFromTable(
  table: ComparisonTable,
  benchmark: string,
  language: string,
  systemA: string,
): ReportComparison[] {
  return table.measures.map((measure) => {
    const a = table.rows.find((r) => r.system === systemA && r.measure === measure);
    const b = table.rows.find((r) => r.system === table.baseline && r.measure === measure);
    if (!a || !b) throw new Error(`internal: system '${systemA}' or baseline missing for ${measure}`);
    return {
      benchmark,
      language,
      measure,
      systemA,
      systemB: table.baseline,
      meanA: a.mean,
      meanB: b.mean,
      p: a.p ?? 1,
      pAdjusted: a.pAdjusted ?? 1,
      test: table.test,
      correction: table.correction,
    };
  });
}
