import type { MeasureFamily } from "./types.js";

export const TREC_CUTOFFS = [5, 10, 15, 20, 30, 100, 200, 500, 1000] as const;

/** Precision at k (m_P.c): (relevant in top k) / k; the denominator stays k when fewer than k are retrieved. */
export const precision: MeasureFamily = {
  name: "P",
  description: "precision at cut-offs",
  integer: false,
  perQuery: true,
  defaultCutoffs: TREC_CUTOFFS,
  compute(q, k) {
    const cut = k as number;
    const n = Math.min(cut, q.numRet);
    let rel = 0;
    for (let i = 0; i < n; i++) if (q.rels[i] >= q.level) rel++;
    return rel / cut;
  },
};
