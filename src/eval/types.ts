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
}

/** Resolved options (defaults applied once, here). */
export interface ResolvedEvalOptions {
  complete: boolean;
  depth: number;
  relevanceLevel: number;
}

export const DEFAULT_EVAL_OPTIONS: ResolvedEvalOptions = {
  complete: true,
  depth: Number.MAX_SAFE_INTEGER,
  relevanceLevel: 1,
};

export function resolveEvalOptions(options: EvalOptions = {}): ResolvedEvalOptions {
  return {
    complete: options.complete ?? DEFAULT_EVAL_OPTIONS.complete,
    depth: options.depth ?? DEFAULT_EVAL_OPTIONS.depth,
    relevanceLevel: options.relevanceLevel ?? DEFAULT_EVAL_OPTIONS.relevanceLevel,
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
}

export interface MeasureInfo {
  name: string;
  /** printed as an integer count (trec_eval `%ld`) instead of `%6.4f`. */
  integer: boolean;
  /** printed per query with -q (num_q is not). */
  perQuery: boolean;
}
