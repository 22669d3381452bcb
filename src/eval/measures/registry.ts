/**
 * Every measure family, in trec_eval 10.0's output order (measures.c's te_trec_measures), then the
 * families that are not trec_eval's. Add a family: one file + one line here. Not implemented: the
 * preference measures (prefs_*, need the prefs rel_info format) and the qrels_jg ones (*_avgjg).
 */
import { bpref } from "./bpref.js";
import { numNonrelJudgedRet, numQ, numRel, numRelRet, numRet } from "./counts.js";
import { dcg, idealDcg, ndcg, ndcgRel, rndcg } from "./dcg.js";
import { G, binG } from "./g.js";
import { gmBpref, gmMap } from "./geometric.js";
import { infAP } from "./infap.js";
import { elevenPtAvg, iprecAtRecall, rprecMult } from "./interpolated.js";
import { judged } from "./judged.js";
import { map, yaap } from "./map.js";
import { mapCut } from "./map-cut.js";
import { ndcgCut } from "./ndcg-cut.js";
import { precision } from "./precision.js";
import { rbp, rbpResid } from "./rbp.js";
import { recall } from "./recall.js";
import { recipRank } from "./recip-rank.js";
import { relativeP } from "./relative-p.js";
import { rprec } from "./rprec.js";
import { setF, setMap, setP, setRecall, setRelativeP } from "./set.js";
import { success } from "./success.js";
import { relstring, runid } from "./text.js";
import { unj } from "./unjudged.js";
import { utility } from "./utility.js";
import type { MeasureFamily } from "./types.js";

export const MEASURES: Readonly<Record<string, MeasureFamily>> = {
  runid,
  num_q: numQ,
  num_ret: numRet,
  num_rel: numRel,
  num_rel_ret: numRelRet,
  map,
  gm_map: gmMap,
  Rprec: rprec,
  bpref,
  recip_rank: recipRank,
  iprec_at_recall: iprecAtRecall,
  P: precision,
  relstring,
  recall,
  infAP,
  gm_bpref: gmBpref,
  Rprec_mult: rprecMult,
  utility,
  "11pt_avg": elevenPtAvg,
  binG,
  G,
  dcg,
  ideal_dcg: idealDcg,
  ndcg,
  ndcg_rel: ndcgRel,
  Rndcg: rndcg,
  ndcg_cut: ndcgCut,
  map_cut: mapCut,
  relative_P: relativeP,
  success,
  set_P: setP,
  set_relative_P: setRelativeP,
  set_recall: setRecall,
  set_map: setMap,
  set_F: setF,
  num_nonrel_judged_ret: numNonrelJudgedRet,
  yaap,
  rbp,
  rbp_resid: rbpResid,
  unj,
  Judged: judged,
};

/** Output order of every family (trec_eval's, then xlir's own). */
export const MEASURE_ORDER: readonly string[] = Object.keys(MEASURES);

/** trec_eval's families (reachable by their trec_eval names). */
export const TREC_MEASURES: readonly string[] = MEASURE_ORDER.filter((m) => MEASURES[m].trec !== false);

/** trec_eval's "official" nickname: the default measure set when no -m is given. */
export const OFFICIAL: readonly string[] = [
  "runid",
  "num_q",
  "num_ret",
  "num_rel",
  "num_rel_ret",
  "map",
  "gm_map",
  "Rprec",
  "bpref",
  "recip_rank",
  "iprec_at_recall",
  "P",
];

/** trec_eval's "all_trec" nickname (every measure computed from standard qrels and runs except dcg, ideal_dcg, yaap): the official ones first, in their order. */
export const ALL_TREC: readonly string[] = [
  ...OFFICIAL,
  "relstring",
  "recall",
  "unj",
  "rbp",
  "rbp_resid",
  "infAP",
  "gm_bpref",
  "utility",
  "11pt_avg",
  "ndcg",
  "relative_P",
  "Rprec_mult",
  "success",
  "map_cut",
  "ndcg_cut",
  "ndcg_rel",
  "Rndcg",
  "binG",
  "G",
  "set_P",
  "set_recall",
  "set_relative_P",
  "set_map",
  "set_F",
  "num_nonrel_judged_ret",
];

/** trec_eval's "set" nickname (unranked measures). */
export const SET_MEASURES: readonly string[] = [
  "runid",
  "num_q",
  "num_ret",
  "num_rel",
  "num_rel_ret",
  "utility",
  "set_P",
  "set_recall",
  "set_relative_P",
  "set_map",
  "set_F",
];
