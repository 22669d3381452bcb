import { TREC_CUTOFFS } from "./precision.js";
import type { MeasureFamily } from "./types.js";

/** Recall at k (m_recall.c): (relevant in top k) / R, 0 when R = 0. */
export const recall: MeasureFamily = {
  name: "recall",
  description: "recall at cut-offs",
  integer: false,
  perQuery: true,
  defaultCutoffs: TREC_CUTOFFS,
  compute(q, k) {
    if (q.numRel === 0) return 0;
    const n = Math.min(k as number, q.numRet);
    let rel = 0;
    for (let i = 0; i < n; i++) if (q.rels[i] >= q.level) rel++;
    return rel / q.numRel;
  },
};
