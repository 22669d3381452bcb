import { cutoffFamily } from "./cutoff.js";

/** map_cut.k (m_map_cut.c): AP over the top k, (1/R) * sum_{i < k, rel_i} (relevant in top i+1) / (i+1); 0 when R = 0. */
export const mapCut = cutoffFamily("map_cut", "average precision over the top k documents", (q, k) => {
  if (q.numRel === 0) return 0;
  const n = Math.min(k, q.numRet);
  let relSoFar = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (q.rels[i] >= q.level) {
      relSoFar++;
      sum += relSoFar / (i + 1);
    }
  }
  return sum / q.numRel;
});
