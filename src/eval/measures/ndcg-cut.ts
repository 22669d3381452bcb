import { cutoffFamily } from "./cutoff.js";

/**
 * nDCG at k (m_ndcg_cut.c, after Järvelin & Kekäläinen 2002): DCG@k = sum_{i<k, g_i>0} g_i / log2(i + 2)
 * with gain g_i = the qrels grade (0-based rank i); IDCG@k the same over all judged grades sorted
 * descending; nDCG@k = DCG@k / IDCG@k (DCG@k itself when IDCG@k = 0). Ignores -l, as trec_eval does.
 */
export const ndcgCut = cutoffFamily(
  "ndcg_cut",
  "normalised discounted cumulative gain at cut-offs (gain = grade, log2 discount)",
  (q, cut) => {
    const n = Math.min(cut, q.numRet);
    let dcg = 0;
    for (let i = 0; i < n; i++) {
      const g = q.rels[i];
      if (g > 0) dcg += g / Math.log2(i + 2);
    }
    let ideal = 0;
    let i = 0;
    for (let l = q.levels.length - 1; l >= 0 && q.levels[l] > 0 && i < cut; l--) {
      const lvl = q.levels[l];
      for (let c = 0; c < q.levelCounts[l] && i < cut; c++, i++) ideal += lvl / Math.log2(i + 2);
    }
    return ideal > 0 ? dcg / ideal : dcg;
  },
);
