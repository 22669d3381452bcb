/**
 * trec_eval's counts (m_num_q.c, m_num_ret.c, m_num_rel.c, m_num_rel_ret.c). Summaries are sums, not
 * means; num_q is the number of queries averaged over; with -c, num_rel's summary counts every qrels
 * line with grade > 0 over all queries, ignoring -l (trec_eval's rule, reproduced).
 */
import type { QueryContext } from "../ranking.js";
import type { MeasureFamily } from "./types.js";
import { sumInOrder } from "./types.js";

export const numQ: MeasureFamily = {
  name: "num_q",
  description: "number of queries averaged over",
  integer: true,
  perQuery: false,
  compute: () => 1,
  summarize: (_v, ctx) => ctx.numQueries,
};

export const numRet: MeasureFamily = {
  name: "num_ret",
  description: "number of documents retrieved (after -M); summary = sum",
  integer: true,
  perQuery: true,
  compute: (q) => q.numRet,
  summarize: (v) => sumInOrder(v),
};

export const numRel: MeasureFamily = {
  name: "num_rel",
  description: "number of relevant documents (grade >= -l); summary = sum",
  integer: true,
  perQuery: true,
  compute: (q) => q.numRel,
  summarize: (v, ctx) => {
    if (!ctx.complete) return sumInOrder(v);
    let n = 0;
    for (const q of ctx.qrels.values()) for (const g of q.values()) if (g > 0) n++;
    return n;
  },
};

/** Number of retrieved documents with grade >= level. */
export function relRetrieved(rels: Int32Array, numRet: number, level: number): number {
  let n = 0;
  for (let i = 0; i < numRet; i++) if (rels[i] >= level) n++;
  return n;
}

/** form_res_rels' num_rel_ret: retrieved judged documents (grade >= 0) with grade >= level. */
export function numRelRetrieved(q: QueryContext): number {
  let n = 0;
  for (let i = 0; i < q.numRet; i++) if (q.rels[i] >= 0 && q.rels[i] >= q.level) n++;
  return n;
}

export const numRelRet: MeasureFamily = {
  name: "num_rel_ret",
  description: "number of relevant documents retrieved; summary = sum",
  integer: true,
  perQuery: true,
  compute: numRelRetrieved,
  summarize: (v) => sumInOrder(v),
};

/** num_nonrel_judged_ret (m_num_nonrel_judged_ret.c): retrieved judged documents that are not relevant. */
export const numNonrelJudgedRet: MeasureFamily = {
  name: "num_nonrel_judged_ret",
  description: "number of judged non-relevant documents retrieved; summary = sum",
  integer: true,
  perQuery: true,
  compute(q) {
    let judged = 0;
    for (let i = 0; i < q.numRet; i++) if (q.rels[i] >= 0) judged++;
    return judged - numRelRetrieved(q);
  },
  summarize: (v) => sumInOrder(v),
};
