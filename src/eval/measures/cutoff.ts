/** What the rank cut-off families (P, recall, map_cut, ndcg_cut, ...) share: their descriptor and the count of relevant documents in the top k. */
import type { QueryContext } from "../ranking.js";
import { perQueryFamily, type MeasureFamily } from "./types.js";

/** trec_eval's default cut-offs of P, recall, relative_P, map_cut and ndcg_cut. */
export const TREC_CUTOFFS = [5, 10, 15, 20, 30, 100, 200, 500, 1000] as const;

/**
 * A real-valued family printed per query with one output per cut-off k (`fam_k`); `compute` gets k as a
 * number (a cutoffs family is always given one).
 */
export function cutoffFamily(
  name: string,
  description: string,
  compute: (q: QueryContext, k: number) => number,
  defaultCutoffs: readonly number[] = TREC_CUTOFFS,
): MeasureFamily {
  return perQueryFamily(name, description, { defaultCutoffs }, (q, k) => compute(q, k as number));
}

/** Relevant documents (grade >= the relevance level) among the top k retrieved. */
export function relevantInTop(q: QueryContext, k: number): number {
  const n = Math.min(k, q.numRet);
  let rel = 0;
  for (let i = 0; i < n; i++) if (q.rels[i] >= q.level) rel++;
  return rel;
}
