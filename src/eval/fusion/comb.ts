/**
 * CombSUM and CombMNZ (Fox & Shaw, TREC-2 1993; ranx's comb_sum, comb_mnz) over normalised scores:
 * CombSUM(d) = sum over the runs that retrieve d of s_r(d) (a run that does not retrieve d adds 0);
 * CombMNZ(d) = CombSUM(d) * (number of runs that retrieve d). Sums run in run order.
 */
import type { FusionMethod, RankedList } from "./types.js";

function sums(lists: readonly RankedList[]): { sum: Map<string, number>; count: Map<string, number> } {
  const sum = new Map<string, number>();
  const count = new Map<string, number>();
  for (const list of lists) {
    for (const e of list) {
      sum.set(e.docno, (sum.get(e.docno) ?? 0) + e.score);
      count.set(e.docno, (count.get(e.docno) ?? 0) + 1);
    }
  }
  return { sum, count };
}

export const combsum: FusionMethod = {
  name: "combsum",
  description: "CombSUM: sum of the (normalised) scores",
  usesScores: true,
  fuse: (lists) => sums(lists).sum,
};

export const combmnz: FusionMethod = {
  name: "combmnz",
  description: "CombMNZ: sum of the (normalised) scores times the number of runs retrieving the document",
  usesScores: true,
  fuse(lists) {
    const { sum, count } = sums(lists);
    const out = new Map<string, number>();
    for (const [d, s] of sum) out.set(d, s * (count.get(d) as number));
    return out;
  },
};
