/** Helpers turning comparison tables into report rows (the experiment fills ReportInput with them). */
import type { ComparisonTable } from "../eval/compare.js";
import type { ReportComparison, ReportResult } from "./types.js";

/** One ReportResult per (system, measure) row of a table; p_vs_baseline is the corrected p-value. */
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

/** The comparison of systemA against systemB (= the table's baseline) for each measure. */
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
