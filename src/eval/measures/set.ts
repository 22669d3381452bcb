/**
 * Unranked set measures over all n retrieved documents (m_set_P.c, m_set_rel_P.c, m_set_recall.c,
 * m_set_map.c, m_set_F.c): a = relevant retrieved (judged), R = relevant.
 */
import { numRelRetrieved } from "./counts.js";
import type { MeasureFamily } from "./types.js";

/** set_P = a / n (0 when n = 0). */
export const setP: MeasureFamily = {
  name: "set_P",
  description: "set precision: relevant retrieved / retrieved",
  integer: false,
  perQuery: true,
  compute: (q) => (q.numRet ? numRelRetrieved(q) / q.numRet : 0),
};

/** set_relative_P = a / min(n, R). */
export const setRelativeP: MeasureFamily = {
  name: "set_relative_P",
  description: "set precision relative to the best possible: relevant retrieved / min(retrieved, R)",
  integer: false,
  perQuery: true,
  compute: (q) => (q.numRet && q.numRel ? numRelRetrieved(q) / Math.min(q.numRet, q.numRel) : 0),
};

/** set_recall = a / R. */
export const setRecall: MeasureFamily = {
  name: "set_recall",
  description: "set recall: relevant retrieved / relevant",
  integer: false,
  perQuery: true,
  compute: (q) => (q.numRel ? numRelRetrieved(q) / q.numRel : 0),
};

/** set_map = a^2 / (n R). */
export const setMap: MeasureFamily = {
  name: "set_map",
  description: "unranked AP: set precision * set recall",
  integer: false,
  perQuery: true,
  compute(q) {
    if (!(q.numRet && q.numRel)) return 0;
    const a = numRelRetrieved(q);
    return (a * a) / (q.numRet * q.numRel);
  },
};

/** set_F.x (default 1): (x + 1) P R / (x P + R) with P = a / n, R' = a / R; 0 when a = 0. */
export const setF: MeasureFamily = {
  name: "set_F",
  description: "set F measure (x + 1) P R / (x P + R), x = relative weight of recall (default 1)",
  integer: false,
  perQuery: true,
  params: "numbers",
  defaultParams: [1.0],
  compute(q, _k, p) {
    const a = numRelRetrieved(q);
    if (!a) return 0;
    const P = a / q.numRet;
    const R = a / q.numRel;
    const x = p.numbers[0];
    return ((x + 1.0) * P * R) / (x * P + R);
  },
};
