/**
 * Precision at recall and R-based points (m_iprec_at_recall.c, m_11pt_avg.c, m_Rprec_mult.c), ported
 * step by step (same operations in the same order, so the same doubles). R = relevant documents,
 * R_ret = relevant retrieved (judged), n = retrieved.
 */
import { numRelRetrieved } from "./counts.js";
import type { QueryContext } from "../ranking.js";
import type { MeasureFamily } from "./types.js";

/** C's lround: round half away from zero. */
function lround(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/**
 * Interpolated precision at the recall points `fractions` (sorted or not, as given): for each point
 * the cut-off c = lround(f * R) in relevant documents, and the value max_{ranks >= the c-th relevant}
 * precision; points with c > R_ret score 0. Walks the ranking backwards once, as trec_eval does.
 */
function interpolated(
  q: QueryContext,
  cutoffs: readonly number[],
  onValue: (index: number, value: number) => void,
): void {
  const numRelRet = numRelRetrieved(q);
  let cur = cutoffs.length - 1;
  while (cur >= 0 && cutoffs[cur] > numRelRet) cur--;
  let precis = numRelRet / q.numRet;
  let intPrecis = precis;
  let relSoFar = numRelRet;
  for (let i = q.numRet; i > 0 && relSoFar > 0; i--) {
    precis = relSoFar / i;
    if (intPrecis < precis) intPrecis = precis;
    if (q.rels[i - 1] >= q.level) {
      while (cur >= 0 && relSoFar === cutoffs[cur]) onValue(cur--, intPrecis);
      relSoFar--;
    }
  }
  while (cur >= 0) onValue(cur--, intPrecis);
}

const ELEVEN = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

/** iprec_at_recall.f (default the 11 points 0, 0.1, ..., 1): interpolated precision at recall f. */
export const iprecAtRecall: MeasureFamily = {
  name: "iprec_at_recall",
  description: "interpolated precision at recall points (the recall-precision graph)",
  integer: false,
  perQuery: true,
  params: "fractions",
  defaultCutoffs: ELEVEN,
  compute(q, f) {
    let v = 0;
    interpolated(q, [lround((f as number) * q.numRel)], (_i, x) => (v = x));
    return v;
  },
};

/** 11pt_avg.f1,f2,... (default the 11 points): mean interpolated precision over the points. */
export const elevenPtAvg: MeasureFamily = {
  name: "11pt_avg",
  description: "interpolated precision averaged over recall points (default 0, 0.1, ..., 1)",
  integer: false,
  perQuery: true,
  params: "numbers",
  defaultParams: ELEVEN,
  compute(q, _k, p) {
    let sum = 0;
    interpolated(
      q,
      p.numbers.map((f) => lround(f * q.numRel)),
      (_i, x) => (sum += x),
    );
    return sum / p.numbers.length;
  },
};

/**
 * Rprec_mult.m (default 0.2, 0.4, ..., 2.0): precision after c = (long)(m * R + 0.9) documents; when
 * c > n, R_ret / c (the missing documents count as non-relevant); 0 when c <= 0.
 */
export const rprecMult: MeasureFamily = {
  name: "Rprec_mult",
  description: "precision at multiples of R (default 0.2, 0.4, ..., 2.0)",
  integer: false,
  perQuery: true,
  params: "fractions",
  defaultCutoffs: [0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0],
  compute(q, m) {
    const cut = Math.trunc((m as number) * q.numRel + 0.9);
    const numRelRet = numRelRetrieved(q);
    if (cut > q.numRet) return numRelRet / cut;
    let relSoFar = numRelRet;
    for (let i = q.numRet; i > 0 && relSoFar > 0; i--) {
      if (i === cut) return relSoFar / i;
      if (q.rels[i - 1] >= q.level) relSoFar--;
    }
    return 0;
  },
};
