import type { MeasureFamily } from "./types.js";

/** R-precision (m_Rprec.c): (relevant in top R) / R with R = number of relevant documents; 0 when R or the ranking is empty. */
export const rprec: MeasureFamily = {
  name: "Rprec",
  description: "precision after R documents, R = number of relevant documents",
  integer: false,
  perQuery: true,
  compute(q) {
    const k = Math.min(q.numRet, q.numRel);
    if (k === 0) return 0;
    let rel = 0;
    for (let i = 0; i < k; i++) if (q.rels[i] >= q.level) rel++;
    return rel / q.numRel;
  },
};
