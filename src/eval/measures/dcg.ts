/**
 * The full-ranking DCG family (m_ndcg.c, m_ndcg_rel.c, m_Rndcg.c; Järvelin & Kekäläinen 2002), gains =
 * grades unless `level=gain` pairs override them (gains.ts). DCG = sum_i gain_i / log2(i + 2) over all
 * retrieved documents (0-based rank i); IDCG the same over the ideal ranking of all judged documents.
 */
import { IdealWalk, gainFamily, getGain, walkGains, type RelGain } from "./gains.js";
import type { QueryContext } from "../ranking.js";

/** DCG of the ranking and IDCG of the ideal ranking (as long as the two), as m_ndcg.c walks them. */
function dcgPair(q: QueryContext, gains: readonly RelGain[]): { dcg: number; idcg: number } {
  let dcg = 0;
  let idcg = 0;
  walkGains(q, gains, (i, rg, ig) => {
    if (rg !== 0) dcg += rg / Math.log2(i + 2);
    if (ig > 0) idcg += ig / Math.log2(i + 2);
  });
  return { dcg, idcg };
}

/** dcg: DCG over the whole ranking (not in all_trec). */
export const dcg = gainFamily(
  "dcg",
  "discounted cumulative gain over the whole ranking",
  (q, gains) => dcgPair(q, gains).dcg,
);

/** ideal_dcg: IDCG of the query (not in all_trec). */
export const idealDcg = gainFamily(
  "ideal_dcg",
  "ideal discounted cumulative gain of the judged documents",
  (q, gains) => dcgPair(q, gains).idcg,
);

/** ndcg = DCG / IDCG over the whole ranking (0 when IDCG = 0). */
export const ndcg = gainFamily(
  "ndcg",
  "normalised discounted cumulative gain over the whole ranking",
  (q, gains) => {
    const { dcg: d, idcg } = dcgPair(q, gains);
    return idcg > 0 ? d / idcg : 0;
  },
);

/**
 * ndcg_rel: nDCG averaged over the relevant documents (ideal gain > 0): at each retrieved document with
 * gain > 0 the running DCG / IDCG; each relevant document not retrieved counts the final DCG / IDCG.
 */
export const ndcgRel = gainFamily("ndcg_rel", "nDCG averaged over the relevant documents", (q, gains) => {
  let dcgV = 0;
  let idcg = 0;
  let sum = 0;
  let numRelRet = 0;
  let numRel = 0;
  walkGains(q, gains, (i, rg, ig) => {
    if (rg !== 0) dcgV += rg / Math.log2(i + 2);
    if (ig > 0) {
      numRel++;
      idcg += ig / Math.log2(i + 2);
    }
    if (rg > 0) {
      sum += dcgV / idcg;
      numRelRet++;
    }
  });
  sum += ((numRel - numRelRet) * dcgV) / idcg;
  return sum > 0 ? sum / numRel : 0;
});

/**
 * Rndcg: nDCG averaged at the R-level points, the ranks where the ideal gain changes (plus the end of the
 * ranking when it is reached before the ideal gain drops to 0); 0 when R = 0.
 */
export const rndcg = gainFamily(
  "Rndcg",
  "nDCG averaged at the ranks where the ideal gain level changes",
  (q, gains) => {
    if (q.numRel === 0) return 0;
    const ideal = new IdealWalk(gains);
    let dcgV = 0;
    let idcg = 0;
    let sum = 0;
    let changes = 0;
    let oldIdeal = ideal.gain;
    /** An R-level point: the running nDCG counts once IDCG > 0. */
    const point = (): void => {
      if (idcg > 0) {
        sum += dcgV / idcg;
        changes++;
      }
    };
    let i = 0;
    for (; i < q.numRet && ideal.gain > 0; i++) {
      const rg = getGain(q.rels[i], gains);
      const ig = ideal.next();
      if (oldIdeal !== ig) {
        point();
        oldIdeal = ig;
      }
      if (rg !== 0) dcgV += rg / Math.log2(i + 2);
      if (ig > 0) idcg += ig / Math.log2(i + 2);
    }
    if (i < q.numRet) {
      for (; i < q.numRet; i++) {
        const rg = getGain(q.rels[i], gains);
        if (rg !== 0) dcgV += rg / Math.log2(i + 2);
      }
      point();
    }
    for (; ideal.gain > 0; i++) {
      const ig = ideal.next();
      if (oldIdeal !== ig) {
        point();
        oldIdeal = ig;
      }
      if (ig > 0) idcg += ig / Math.log2(i + 2);
    }
    return sum / changes;
  },
);
