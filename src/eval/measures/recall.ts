import { cutoffFamily, relevantInTop } from "./cutoff.js";

/** Recall at k (m_recall.c): (relevant in top k) / R, 0 when R = 0. */
export const recall = cutoffFamily("recall", "recall at cut-offs", (q, k) =>
  q.numRel === 0 ? 0 : relevantInTop(q, k) / q.numRel,
);
