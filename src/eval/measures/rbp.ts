/**
 * Rank-biased precision (m_rbp.c, m_rbp_resid.c; Moffat & Zobel, TOIS 2008), persistence p (pair
 * `p=0.9`, the default), gains as ndcg's (gains.ts) scaled to [0, 1] by (g - min) / (max - min) when
 * some gain lies outside [0, 1]: RBP = (1 - p) * sum_i gain_i p^i.
 * trec_eval 10.0 reads min and max uninitialised before taking them over the gains; its release build
 * (gcc -O0) starts them at 0 in every run checked (tests/golden: graded and binary qrels), which is what
 * is done here: min = min(0, gains), max = max(0, gains).
 */
import { getGain, setupGains } from "./gains.js";
import type { MeasureFamily, MeasureParams } from "./types.js";

function persistence(p: MeasureParams): number {
  let v = 0.9;
  for (const pair of p.pairs) if (pair.name === "p") v = pair.value;
  return v;
}

export const rbp: MeasureFamily = {
  name: "rbp",
  description: "rank-biased precision, persistence p=0.9 unless rbp.p=x",
  integer: false,
  perQuery: true,
  params: "pairs",
  compute(q, _k, params) {
    const p = persistence(params);
    const gains = setupGains(q, params.pairs);
    let min = 0;
    let max = 0;
    for (const g of gains) {
      if (g.gain < min) min = g.gain;
      if (g.gain > max) max = g.gain;
    }
    if (min < 0 || max > 1) for (const g of gains) g.gain = (g.gain - min) / (max - min);
    let sum = 0;
    let cur = 1.0;
    for (let i = 0; i < q.numRet; i++) {
      const gain = getGain(q.rels[i], gains);
      if (gain !== 0) sum += gain * cur;
      cur = cur * p;
    }
    return (1.0 - p) * sum;
  },
};

/** rbp_resid: the most RBP could rise if every unjudged retrieved document had gain 1: p^n + (1 - p) sum_{unjudged i} p^i; 0 when none. */
export const rbpResid: MeasureFamily = {
  name: "rbp_resid",
  description: "rank-biased precision residual from unjudged documents",
  integer: false,
  perQuery: true,
  params: "pairs",
  compute(q, _k, params) {
    const p = persistence(params);
    let unjudged = 0;
    let sum = 0;
    let cur = 1.0;
    for (let i = 0; i < q.numRet; i++) {
      if (q.rels[i] < 0) {
        unjudged++;
        sum += cur;
      }
      cur = cur * p;
    }
    return unjudged ? cur + (1 - p) * sum : 0;
  },
};
