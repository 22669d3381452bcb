import { cutoffFamily, relevantInTop } from "./cutoff.js";

/** relative_P.k (m_rel_P.c): (relevant in top k) / min(k, R), precision up to R and recall after; 0 when R = 0. */
export const relativeP = cutoffFamily(
  "relative_P",
  "precision at k relative to the best possible, (relevant in top k) / min(k, R)",
  (q, k) => (q.numRel === 0 ? 0 : relevantInTop(q, k) / (k > q.numRel ? q.numRel : k)),
);
