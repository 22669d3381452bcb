/** The interface every measure family implements (one family per file or per small group, listed in registry.ts). */
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

/**
 * How a family takes parameters after the dot (`P.5,10`), as trec_eval's init procedures do:
 * - cutoffs: positive integers, sorted, one output each, named `fam_k` (P, recall, ndcg_cut, ...);
 * - fractions: numbers, sorted, one output each, named `fam_%3.2f` (iprec_at_recall, Rprec_mult);
 * - numbers: a list of numbers in the given order, one output named `fam` or `fam_<params as typed>`
 *   (utility, 11pt_avg, set_F, relstring);
 * - pairs: `name=number` pairs, one output named `fam` or `fam_<params as typed>` (G, ndcg, rbp, ...);
 * - none: no parameter.
 */
export type ParamKind = "none" | "cutoffs" | "fractions" | "numbers" | "pairs";

export interface ParamPair {
  name: string;
  value: number;
}

/** Parameters of one output of a `numbers` or `pairs` family (defaults when none were given). */
export interface MeasureParams {
  numbers: readonly number[];
  pairs: readonly ParamPair[];
}

export const NO_PARAMS: MeasureParams = { numbers: [], pairs: [] };

export interface MeasureFamily {
  /** trec_eval name, e.g. "ndcg_cut". */
  readonly name: string;
  readonly description: string;
  /** counts printed with %ld. */
  readonly integer: boolean;
  /** printed per query with -q (num_q, gm_map, gm_bpref, runid are not). */
  readonly perQuery: boolean;
  /** printed in the summary (`all`); default true (relstring is not). */
  readonly summary?: boolean;
  /** a string-valued family (runid, relstring): computeText gives the value. */
  readonly text?: boolean;
  /** false for families that are not trec_eval's (Judged@k: reachable only by its alias). Default true. */
  readonly trec?: boolean;
  /** parameter kind; default "cutoffs" when defaultCutoffs is set, else "none". */
  readonly params?: ParamKind;
  /** default cut-offs of a `cutoffs` or `fractions` family. */
  readonly defaultCutoffs?: readonly number[];
  /** default parameters of a `numbers` family. */
  readonly defaultParams?: readonly number[];
  /** checks parameters at parse time; returns an error message or undefined. */
  validate?(params: MeasureParams): string | undefined;
  /** value of one query; `cutoff` is given exactly for cutoffs/fractions families. */
  compute(q: QueryContext, cutoff: number | undefined, params: MeasureParams): number;
  /** text value of one query (text families). */
  computeText?(q: QueryContext, params: MeasureParams): string;
  /** summary (`all`) from per-query values in qid order; default: sum / numQueries. */
  summarize?(values: readonly number[], ctx: SummaryContext): number;
}

/**
 * A real-valued family printed per query (what most families are); `kind` gives its parameter kind
 * and default cut-offs when it takes any.
 */
export function perQueryFamily(
  name: string,
  description: string,
  kind: Pick<MeasureFamily, "params" | "defaultCutoffs">,
  compute: MeasureFamily["compute"],
): MeasureFamily {
  return { name, description, integer: false, perQuery: true, ...kind, compute };
}

/** The parameter kind of a family, with its default. */
export function paramKind(f: MeasureFamily): ParamKind {
  return f.params ?? (f.defaultCutoffs ? "cutoffs" : "none");
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

/** trec_eval's MIN_GEO_MEAN: per-query values below it are raised to it before the log of gm_map/gm_bpref. */
export const MIN_GEO_MEAN = 0.00001;

/** Geometric mean summary (te_calc_avg_meas_s_gm): exp(sum of per-query logs / number of queries). */
export function geometricSummary(values: readonly number[], ctx: SummaryContext): number {
  if (ctx.numQueries <= 0) return 0;
  return Math.exp(sumInOrder(values) / ctx.numQueries);
}
