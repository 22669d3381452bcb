/** What an experiment hands to the report writer (filled by src/experiment). */

export interface ReportResult {
  benchmark: string;
  language: string;
  /** `xx-en` (foreign queries, English documents) or `en-xx` (English queries, foreign documents). */
  direction?: string;
  system: string;
  measure: string;
  /** Mean over queries (over seeds too, for a seed-mean row). */
  value: number;
  /** 95% bootstrap interval of the mean (null on per-seed rows). */
  ci_low: number | null;
  ci_high: number | null;
  /** Raw p of the paired test against `baseline` (per-query values averaged over seeds). */
  p_vs_baseline: number | null;
  /** p_vs_baseline corrected (Holm by default) across the systems compared with the baseline. */
  p_holm?: number | null;
  baseline: string | null;
  significant: boolean | null;
  /** Per-seed row: the seed; a seed-mean row has none. */
  seed?: number;
  /** Seed-mean rows of systems run with several seeds: how many, and the standard deviation of the per-seed means. */
  seeds?: number;
  sd?: number;
}

export interface ReportComparison {
  benchmark: string;
  language: string;
  measure: string;
  systemA: string;
  systemB: string;
  meanA: number;
  meanB: number;
  /** Raw p of the paired test (per-query values averaged over seeds). */
  p: number;
  /** p corrected across the languages of one benchmark, direction and measure. */
  pAdjusted: number;
  test: string;
  correction: string;
  direction?: string;
  /** Standard deviation over seeds of each system's mean (0 with one seed). */
  sdA?: number;
  sdB?: number;
  /** Per-seed differences meanA - meanB (seed i of A against seed i of B). */
  seedDiffs?: number[];
  /** "A better", "B better" or "no significant difference": needs pAdjusted < alpha and the same sign in every seed. */
  verdict?: string;
}

export interface ReportLossCurve {
  name: string;
  points: Array<{ step: number; loss: number }>;
}

export interface ReportPlan {
  title: string;
  rowTokens: string[];
  colTokens: string[];
  /** transport plan [rowTokens.length][colTokens.length]. */
  plan: number[][];
}

/** One trained student: its settings and training statistics (e.g. Sinkhorn convergence). */
export interface ReportStudent {
  loss: string;
  seed: number;
  settings: Record<string, number | undefined>;
  /** Means over training of the loss's statistics (meanIterations, convergedFraction, ...). */
  training: Record<string, number>;
}

export interface ReportStage {
  name: string;
  seconds: number;
  cached: boolean;
}

export interface ReportInput {
  title: string;
  createdAt: string;
  results: ReportResult[];
  comparisons: ReportComparison[];
  systems: string[];
  languages: string[];
  benchmarks: string[];
  seeds: number[];
  lossCurves: ReportLossCurve[];
  plans: ReportPlan[];
  stages?: ReportStage[];
  students?: ReportStudent[];
  meta: Record<string, unknown>;
}

/** Paths written by writeReport. */
export interface ReportFiles {
  html: string;
  markdown: string;
  json: string;
}
