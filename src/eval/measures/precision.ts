import { cutoffFamily, relevantInTop } from "./cutoff.js";

/** Precision at k (m_P.c): (relevant in top k) / k; the denominator stays k when fewer than k are retrieved. */
export const precision = cutoffFamily("P", "precision at cut-offs", (q, k) => relevantInTop(q, k) / k);
