/**
 * Geometric means over queries (m_gm_map.c, m_gm_bpref.c): per query log(max(x, 1e-5)) of AP or bpref,
 * summary exp(mean of the logs); printed in the summary only.
 */
import { averagePrecision } from "./map.js";
import { bprefValue } from "./bpref.js";
import { MIN_GEO_MEAN, geometricSummary, type MeasureFamily } from "./types.js";

export const gmMap: MeasureFamily = {
  name: "gm_map",
  description: "geometric mean of AP over queries (AP floored at 1e-5); summary only",
  integer: false,
  perQuery: false,
  compute: (q) => Math.log(Math.max(averagePrecision(q), MIN_GEO_MEAN)),
  summarize: geometricSummary,
};

export const gmBpref: MeasureFamily = {
  name: "gm_bpref",
  description: "geometric mean of bpref over queries (bpref floored at 1e-5); summary only",
  integer: false,
  perQuery: false,
  compute: (q) => Math.log(Math.max(bprefValue(q), MIN_GEO_MEAN)),
  summarize: geometricSummary,
};
