import { TREC_CUTOFFS } from "./precision.js";
import type { MeasureFamily } from "./types.js";

/** relative_P.k (m_rel_P.c): (relevant in top k) / min(k, R), precision up to R and recall after; 0 when R = 0. */
export const relativeP: MeasureFamily = {
  name: "relative_P",
  description: "precision at k relative to the best possible, (relevant in top k) / min(k, R)",
  integer: false,
  perQuery: true,
  defaultCutoffs: TREC_CUTOFFS,
  compute(q, k) {
    if (q.numRel === 0) return 0;
    const cut = k as number;
    const n = Math.min(cut, q.numRet);
    let rel = 0;
    for (let i = 0; i < n; i++) if (q.rels[i] >= q.level) rel++;
    return rel / (cut > q.numRel ? q.numRel : cut);
  },
};
