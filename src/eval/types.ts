/** Types shared by the evaluation code: TREC qrels and runs held in memory. */

/** Relevance judgements: qid -> docno -> grade (trec_eval reads grades with atol; negative = judged "unjudged in pool"). */
export type Qrels = Map<string, Map<string, number>>;

/** One retrieved document of a run line: the rank column of the file is ignored. */
export interface RunEntry {
  docno: string;
  score: number;
}

/** A run: qid -> retrieved documents in file order (ranking is derived from scores, trec_eval's rule). */
export type Run = Map<string, RunEntry[]>;

/** Options that trec_eval sets with flags. */
export interface EvalOptions {
  /** `-c`: average over every query in the qrels (missing queries score 0). Library default: true (docs/method.md). */
  complete?: boolean;
  /** `-M depth`: only the top `depth` documents of each query count. Default: all. */
  depth?: number;
  /** `-l level`: grades >= level are relevant. Default 1. */
  relevanceLevel?: number;
  /** `-N num`: documents in the collection (only utility's fourth coefficient reads it). Default 0. */
  numDocs?: number;
  /** the run's tag, printed by `runid` (evaluateRunFile reads it from the file: field 6 of the last line). */
  runId?: string;
  /** name of the run in error messages (evaluateRunFile: the file path). */
  runName?: string;
}

/** Resolved options (defaults applied once, here). */
export interface ResolvedEvalOptions {
  complete: boolean;
  depth: number;
  relevanceLevel: number;
  numDocs: number;
  runId: string;
  runName: string;
}

export const DEFAULT_EVAL_OPTIONS: ResolvedEvalOptions = {
  complete: true,
  depth: Number.MAX_SAFE_INTEGER,
  relevanceLevel: 1,
  numDocs: 0,
  runId: "",
  runName: "the run",
};

/**
 * EvalOptions with every default filled in (DEFAULT_EVAL_OPTIONS): complete (-c) on, no depth cut, relevance level 1.
 * @example
 * ```ts
 * import { resolveEvalOptions } from "xlir";
 * const o = resolveEvalOptions({ depth: 10 });
 * console.assert(o.depth === 10 && o.complete && o.relevanceLevel === 1 && o.numDocs === 0);
 * console.assert(resolveEvalOptions().depth === Number.MAX_SAFE_INTEGER);
 * ```
 */
export function resolveEvalOptions(options: EvalOptions = {}): ResolvedEvalOptions {
  return {
    complete: options.complete ?? DEFAULT_EVAL_OPTIONS.complete,
    depth: options.depth ?? DEFAULT_EVAL_OPTIONS.depth,
    relevanceLevel: options.relevanceLevel ?? DEFAULT_EVAL_OPTIONS.relevanceLevel,
    numDocs: options.numDocs ?? DEFAULT_EVAL_OPTIONS.numDocs,
    runId: options.runId ?? DEFAULT_EVAL_OPTIONS.runId,
    runName: options.runName ?? DEFAULT_EVAL_OPTIONS.runName,
  };
}

/** Evaluation result: per-query values (for significance tests) and the summary line trec_eval prints as `all`. */
export interface EvalResult {
  /** measure name -> qid -> value, qids in trec_eval order (byte order of the qid). */
  perQuery: Map<string, Map<string, number>>;
  /** measure name -> summary value (mean for most measures; sum for num_ret/num_rel/num_rel_ret; count for num_q). */
  mean: Map<string, number>;
  /** The measures evaluated, in output order, with how to print them. */
  measures: MeasureInfo[];
  /** Evaluated qids in order. */
  queries: string[];
  /** string-valued measures (runid, relstring): measure -> qid (or "all") -> value; absent from perQuery/mean. */
  text: Map<string, Map<string, string>>;
}

export interface MeasureInfo {
  name: string;
  /** printed as an integer count (trec_eval `%ld`) instead of `%6.4f`. */
  integer: boolean;
  /** printed per query with -q (num_q, gm_map, gm_bpref, runid are not). */
  perQuery: boolean;
  /** printed in the summary (relstring is not). */
  summary: boolean;
  /** string-valued (runid; relstring, printed quoted): values in EvalResult.text. */
  text: boolean;
}
