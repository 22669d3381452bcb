/** Every measure family, in trec_eval's output order (measures.c). Add a family: one file + one line here. */
import { bpref } from "./bpref.js";
import { numQ, numRel, numRelRet, numRet } from "./counts.js";
import { map } from "./map.js";
import { ndcgCut } from "./ndcg-cut.js";
import { precision } from "./precision.js";
import { recall } from "./recall.js";
import { recipRank } from "./recip-rank.js";
import { rprec } from "./rprec.js";
import { success } from "./success.js";
import type { MeasureFamily } from "./types.js";

export const MEASURES: Readonly<Record<string, MeasureFamily>> = {
  num_q: numQ,
  num_ret: numRet,
  num_rel: numRel,
  num_rel_ret: numRelRet,
  map,
  Rprec: rprec,
  bpref,
  recip_rank: recipRank,
  P: precision,
  recall,
  ndcg_cut: ndcgCut,
  success,
};

export const MEASURE_ORDER: readonly string[] = Object.keys(MEASURES);

/** trec_eval's "official" set restricted to what xlir implements (runid, gm_map, iprec_at_recall are not). */
export const OFFICIAL: readonly string[] = ["num_q", "num_ret", "num_rel", "num_rel_ret", "map", "Rprec", "bpref", "recip_rank", "P"];
