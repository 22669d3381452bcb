import type { MeasureFamily } from "./types.js";

/** Reciprocal rank (m_recip_rank.c): 1 / (rank of the first relevant document), 0 if none. With -M 10 (or RR@10): MRR@10. */
export const recipRank: MeasureFamily = {
  name: "recip_rank",
  description: "reciprocal rank of the first relevant document",
  integer: false,
  perQuery: true,
  compute(q) {
    for (let i = 0; i < q.numRet; i++) if (q.rels[i] >= q.level) return 1 / (i + 1);
    return 0;
  },
};
