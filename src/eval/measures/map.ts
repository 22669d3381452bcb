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
  compute(q) {
    let relSoFar = 0;
    let sum = 0;
    for (let i = 0; i < q.numRet; i++) {
      if (q.rels[i] >= q.level) {
        relSoFar++;
        sum += relSoFar / (i + 1);
      }
    }
    return relSoFar > 0 ? sum / q.numRel : 0;
  },
};
