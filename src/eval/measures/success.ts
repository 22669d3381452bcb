import type { MeasureFamily } from "./types.js";

/** Success at k (m_success.c): 1 if a relevant document is in the top k, else 0. */
export const success: MeasureFamily = {
  name: "success",
  description: "1 if a relevant document is in the top k",
  integer: false,
  perQuery: true,
  defaultCutoffs: [1, 5, 10],
  compute(q, k) {
    const n = Math.min(k as number, q.numRet);
    for (let i = 0; i < n; i++) if (q.rels[i] >= q.level) return 1;
    return 0;
  },
};
