import { numRelRetrieved } from "./counts.js";
import type { MeasureFamily } from "./types.js";

/**
 * utility.p1,p2,p3,p4 (m_utility.c; default 1,-1,0,0): p1 a + p2 b + p3 c + p4 d over the contingency
 * table a = relevant retrieved, b = non-relevant retrieved, c = relevant not retrieved,
 * d = N + a - n - R (N = -N documents in the collection, 0 unless given). Summary: the mean.
 */
export const utility: MeasureFamily = {
  name: "utility",
  description: "set utility p1*a + p2*b + p3*c + p4*d (default 1,-1,0,0)",
  integer: false,
  perQuery: true,
  params: "numbers",
  defaultParams: [1.0, -1.0, 0.0, 0.0],
  validate: (p) =>
    p.numbers.length === 4 ? undefined : `utility takes exactly 4 coefficients, got ${p.numbers.length}`,
  compute(q, _k, p) {
    const [p1, p2, p3, p4] = p.numbers;
    const a = numRelRetrieved(q);
    return p1 * a + p2 * (q.numRet - a) + p3 * (q.numRel - a) + p4 * (q.numDocs + a - q.numRet - q.numRel);
  },
};
