import { REL_NONPOOL, REL_UNJUDGED, countBelow, type QueryContext } from "../ranking.js";
import type { MeasureFamily } from "./types.js";

/**
 * bpref (m_bpref.c; Buckley & Voorhees, SIGIR 2004): over retrieved judged documents,
 * bpref = (1/R) * sum_{relevant r} (1 - min(n_r, R) / min(N, R)), n_r = judged non-relevant documents
 * ranked above r, N = judged non-relevant documents (grade in [0, l)), R = relevant documents.
 * Documents not in the qrels are skipped.
 */
export const bpref: MeasureFamily = {
  name: "bpref",
  description: "binary preference: fraction of judged non-relevant documents ranked below each relevant one",
  integer: false,
  perQuery: true,
  compute: bprefValue,
};

/** bpref of one query (shared with gm_bpref). */
export function bprefValue(q: QueryContext): number {
  const numNonrel = countBelow(q.levels, q.levelCounts, q.level);
  let nonrelSoFar = 0;
  let b = 0;
  for (let j = 0; j < q.numRet; j++) {
    const r = q.rels[j];
    if (r === REL_NONPOOL || r === REL_UNJUDGED) continue;
    if (r >= 0 && r < q.level) nonrelSoFar++;
    else if (nonrelSoFar > 0) b += 1 - Math.min(nonrelSoFar, q.numRel) / Math.min(numNonrel, q.numRel);
    else b += 1;
  }
  return q.numRel > 0 ? b / q.numRel : b;
}
