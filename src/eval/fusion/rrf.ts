import type { FusionMethod } from "./types.js";

/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009; ranx's rrf): a document at rank r
 * (1-based) of a run scores 1 / (k + r) there, 0 in a run that does not retrieve it; the fused score is
 * the sum over runs (in run order). Scores are read only through the ranking.
 */
export const rrf: FusionMethod = {
  name: "rrf",
  description: "reciprocal rank fusion: sum over runs of 1 / (k + rank)",
  usesScores: false,
  fuse(lists, k) {
    const out = new Map<string, number>();
    for (const list of lists) {
      list.forEach((e, i) => out.set(e.docno, (out.get(e.docno) ?? 0) + 1 / (k + i + 1)));
    }
    return out;
  },
};
