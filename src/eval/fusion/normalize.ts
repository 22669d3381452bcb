/**
 * Per-query score normalisations (ranx: min_max_norm, zmuv_norm), over the scores s_1..s_n one run
 * gives one query:
 * - minmax: (s - min) / max(max - min, 1e-9)
 * - zscore: (s - mean) / max(std, 1e-9), std the population standard deviation (numpy's np.std)
 * - none: s
 */
import type { RunEntry } from "../types.js";
import type { NormalizationName, RankedList } from "./types.js";

const FLOOR = 1e-9;

export const NORMALIZATIONS: Readonly<Record<NormalizationName, (list: RankedList) => RunEntry[]>> = {
  minmax(list) {
    let min = Infinity;
    let max = -Infinity;
    for (const e of list) {
      if (e.score < min) min = e.score;
      if (e.score > max) max = e.score;
    }
    const den = Math.max(max - min, FLOOR);
    return list.map((e) => ({ docno: e.docno, score: (e.score - min) / den }));
  },
  zscore(list) {
    const n = list.length;
    let sum = 0;
    for (const e of list) sum += e.score;
    const mean = sum / n;
    let sq = 0;
    for (const e of list) sq += (e.score - mean) ** 2;
    const den = Math.max(Math.sqrt(sq / n), FLOOR);
    return list.map((e) => ({ docno: e.docno, score: (e.score - mean) / den }));
  },
  none: (list) => list.map((e) => ({ docno: e.docno, score: e.score })),
};
