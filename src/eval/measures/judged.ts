import { REL_NONPOOL } from "../ranking.js";
import { cutoffFamily } from "./cutoff.js";
import type { MeasureFamily } from "./types.js";

/**
 * Judged@k (ir_measures' Judged, after OpenNIR): the fraction of the top k retrieved documents that are
 * in the qrels (any grade, negative included). With fewer than k retrieved documents the denominator
 * is the number retrieved (ir_measures' rule), so a 3-document list with 3 judged documents scores 1;
 * an empty ranking (a judged query missing from the run, under -c) scores 0. Queries without
 * judgements are not evaluated (as every measure here). The ranking is xlir's (trec_eval's: score
 * descending, docno descending on ties); ir_measures breaks score ties by docno ascending, which can
 * change which tied document sits at rank k. Reachable as `Judged@k` only (not a trec_eval measure).
 */
export const judged: MeasureFamily = {
  ...cutoffFamily(
    "Judged",
    "fraction of the top k documents that have a judgement (ir_measures' Judged@k)",
    (q, k) => {
      if (q.missing) return 0;
      const n = Math.min(k, q.numRet);
      if (n === 0) return 0;
      let j = 0;
      for (let i = 0; i < n; i++) if (q.rels[i] !== REL_NONPOOL) j++;
      return j / n;
    },
    [10],
  ),
  trec: false,
};
