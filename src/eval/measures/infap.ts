import { REL_NONPOOL, REL_UNJUDGED } from "../ranking.js";
import type { MeasureFamily } from "./types.js";

/** trec_eval's INFAP_EPSILON. */
const EPS = 0.00001;

/**
 * infAP (m_infap.c; Yilmaz & Aslam, CIKM 2006): documents with a negative grade are pooled but not
 * judged (sampled out), documents absent from the qrels are outside the pool. At each judged relevant
 * document at 0-based rank j > 0 (rel, nonrel, unj = counts above it):
 *   1/(j+1) + (j/(j+1)) * ((rel + nonrel + unj) / j) * ((rel + eps) / (rel + nonrel + 2 eps)),
 * at rank 0 the term is 1; infAP = sum / R.
 */
export const infAP: MeasureFamily = {
  name: "infAP",
  description: "inferred AP for a sampled judgement pool (negative grades = pooled, not judged)",
  integer: false,
  perQuery: true,
  compute(q) {
    let nonrel = 0;
    let rel = 0;
    let unj = 0;
    let s = 0;
    for (let j = 0; j < q.numRet; j++) {
      const r = q.rels[j];
      if (r === REL_NONPOOL) continue;
      if (r === REL_UNJUDGED) {
        unj++;
        continue;
      }
      if (r >= 0 && r < q.level) nonrel++;
      else {
        rel++;
        if (j === 0) s += 1;
        else {
          const fj = j;
          s +=
            1 / (fj + 1) +
            (fj / (fj + 1)) *
              ((rel - 1 + nonrel + unj) / fj) *
              ((rel - 1 + EPS) / (rel - 1 + nonrel + 2 * EPS));
        }
      }
    }
    return q.numRel ? s / q.numRel : s;
  },
};
