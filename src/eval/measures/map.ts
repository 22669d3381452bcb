import type { QueryContext } from "../ranking.js";
import type { MeasureFamily } from "./types.js";

/**
 * Average precision (m_map.c): AP = (1/R) * sum_{i: rel_i >= l} (relevant in top i) / i, where
 * R = number of relevant judged documents; 0 when no relevant document is retrieved.
 * Reference: Buckley & Voorhees, "Retrieval System Evaluation", TREC book ch. 3 (2005).
 */
export const map: MeasureFamily = {
  name: "map",
  description: "mean average precision",
  integer: false,
  perQuery: true,
  compute: averagePrecision,
};

/** Sum over retrieved relevant documents of (relevant in top i) / i, and the number of them. */
export function precisionSum(q: QueryContext): { sum: number; relSoFar: number } {
  let relSoFar = 0;
  let sum = 0;
  for (let i = 0; i < q.numRet; i++) {
    if (q.rels[i] >= q.level) {
      relSoFar++;
      sum += relSoFar / (i + 1);
    }
  }
  return { sum, relSoFar };
}

/** AP of one query (shared with gm_map). */
export function averagePrecision(q: QueryContext): number {
  const { sum, relSoFar } = precisionSum(q);
  return relSoFar > 0 ? sum / q.numRel : 0;
}

/**
 * yaap (m_yaap.c; Robertson, "On Smoothing Average Precision", ECIR 2012):
 * log((1 + S) / (1 + R - S)), S = the precision sum of AP (not divided by R). Not in all_trec.
 */
export const yaap: MeasureFamily = {
  name: "yaap",
  description: "yet another average precision: log((1 + S) / (1 + R - S)), S = AP's precision sum",
  integer: false,
  perQuery: true,
  compute(q) {
    const { sum } = precisionSum(q);
    return Math.log((1 + sum) / (1 + q.numRel - sum));
  },
};
