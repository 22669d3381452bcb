/** binG and G (m_binG.c, m_G.c): gain-based measures that mix MAP and nDCG (Buckley, 2008; experimental in trec_eval). */
import { gainFamily, walkGains } from "./gains.js";
import type { MeasureFamily } from "./types.js";

/** binG = (1/R) * sum over retrieved relevant documents of 1 / log2(2 + non-relevant ranked above it). */
export const binG: MeasureFamily = {
  name: "binG",
  description: "binary G: mean over relevant documents of 1 / log2(2 + non-relevant documents above)",
  integer: false,
  perQuery: true,
  compute(q) {
    let relSoFar = 0;
    let sum = 0;
    for (let i = 0; i < q.numRet; i++) {
      if (q.rels[i] >= q.level) {
        relSoFar++;
        sum += 1 / Math.log2(3 + i - relSoFar);
      }
    }
    return relSoFar ? sum / q.numRel : 0;
  },
};

/** The least cost of a rank in G (m_G.c): a rank whose ideal gain is lower costs this much. */
const MIN_COST = 1.0;

/**
 * G (gains as ndcg, `level=gain` pairs): document i contributes gain_i / log2(2 + cost_i - got_i), with
 * got_i the gain summed over ranks <= i and cost_i the ideal gain summed over ranks <= i (each rank at
 * least 1); normalised by the total ideal gain.
 */
export const G = gainFamily(
  "G",
  "normalised gain (gains = grades unless level=gain pairs are given)",
  (q, gains) => {
    let resultsG = 0;
    let sumResults = 0;
    let sumIdeal = 0;
    let sumCost = 0;
    walkGains(q, gains, (_i, rg, ig) => {
      sumResults += rg;
      if (ig > 0) sumIdeal += ig;
      sumCost += ig >= MIN_COST ? ig : MIN_COST;
      if (rg !== 0) resultsG += rg / Math.log2(2 + sumCost - sumResults);
    });
    return sumIdeal > 0 ? resultsG / sumIdeal : 0;
  },
);
