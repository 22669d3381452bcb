/** The interface every measure family implements (one family per file, listed in registry.ts). */
import type { QueryContext } from "../ranking.js";
import type { Qrels } from "../types.js";

/** What a summary may need beyond the per-query values. */
export interface SummaryContext {
  /** -c given: average over all qrels queries. */
  complete: boolean;
  qrels: Qrels;
  /** number of evaluated queries (the denominator of means). */
  numQueries: number;
}

export interface MeasureFamily {
  /** trec_eval name, e.g. "ndcg_cut". */
  readonly name: string;
  readonly description: string;
  /** counts printed with %ld. */
  readonly integer: boolean;
  /** printed per query with -q (num_q is not). */
  readonly perQuery: boolean;
  /** default cut-offs of a parametrised family (P, recall, ndcg_cut, success); undefined = no parameter. */
  readonly defaultCutoffs?: readonly number[];
  /** value of one query; `cutoff` is given exactly when the family is parametrised. */
  compute(q: QueryContext, cutoff: number | undefined): number;
  /** summary (`all`) from per-query values in qid order; default: sum / numQueries. */
  summarize?(values: readonly number[], ctx: SummaryContext): number;
}

/** Sum in the given order (trec_eval accumulates query by query in qid order). */
export function sumInOrder(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

export function meanSummary(values: readonly number[], ctx: SummaryContext): number {
  const s = sumInOrder(values);
  return ctx.numQueries > 0 ? s / ctx.numQueries : s;
}
