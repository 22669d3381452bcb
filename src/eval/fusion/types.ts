/** Run fusion (ranx's definitions): types shared by the normalisations and the methods. */
import type { RunEntry } from "../types.js";

/** One query's results of one run, in ranking order (score descending, docno descending on ties). */
export type RankedList = readonly RunEntry[];

/** Per-query score normalisation applied to each run before a score-based fusion. */
export type NormalizationName = "minmax" | "zscore" | "none";

export type FusionMethodName = "rrf" | "combsum" | "combmnz";

export interface FuseOptions {
  method: FusionMethodName | string;
  /** RRF's constant k (score 1 / (k + rank)); default 60. */
  k?: number;
  /** normalisation before combsum/combmnz (default minmax, ranx's default); RRF reads ranks only and ignores it. */
  norm?: NormalizationName | string;
  /** names of the runs, for error messages (default run1, run2, ...). */
  names?: readonly string[];
}

/** A fusion method: fused scores of one query from the (normalised) ranked lists of every run. */
export interface FusionMethod {
  readonly name: FusionMethodName;
  readonly description: string;
  /** true when the method combines scores (and so normalisation applies). */
  readonly usesScores: boolean;
  /** docno -> fused score for one query; `lists[r]` is run r's ranked list. */
  fuse(lists: readonly RankedList[], k: number): Map<string, number>;
}
