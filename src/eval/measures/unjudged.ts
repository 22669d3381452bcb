import { REL_NONPOOL, REL_UNJUDGED } from "../ranking.js";
import { cutoffFamily } from "./cutoff.js";

/**
 * unj.k (m_unjudged.c; default 5, 10, 20): fraction of the top k that is unjudged (not in the qrels, or
 * a negative grade); the denominator stays k when fewer than k are retrieved.
 */
export const unj = cutoffFamily(
  "unj",
  "fraction of unjudged documents in the top k (default 5, 10, 20)",
  (q, cut) => {
    const n = Math.min(cut, q.numRet);
    let u = 0;
    for (let i = 0; i < n; i++) if (q.rels[i] === REL_NONPOOL || q.rels[i] === REL_UNJUDGED) u++;
    return u / cut;
  },
  [5, 10, 20],
);
