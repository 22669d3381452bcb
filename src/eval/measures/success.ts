import { cutoffFamily, relevantInTop } from "./cutoff.js";

/** Success at k (m_success.c): 1 if a relevant document is in the top k, else 0. */
export const success = cutoffFamily(
  "success",
  "1 if a relevant document is in the top k",
  (q, k) => (relevantInTop(q, k) > 0 ? 1 : 0),
  [1, 5, 10],
);
