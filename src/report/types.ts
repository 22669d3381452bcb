/** What an experiment hands to the report writer (filled by src/experiment). */

export interface ReportResult {
  benchmark: string;
  language: string;
  system: string;
  measure: string;
  value: number;
  ci_low: number;
  ci_high: number;
  p_vs_baseline: number | null;
  baseline: string | null;
  significant: boolean | null;
}

export interface ReportComparison {
  benchmark: string;
  language: string;
  measure: string;
  systemA: string;
  systemB: string;
  meanA: number;
  meanB: number;
  p: number;
  pAdjusted: number;
  test: string;
  correction: string;
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
  meta: Record<string, unknown>;
}

/** Paths written by writeReport. */
export interface ReportFiles {
  html: string;
  markdown: string;
  json: string;
}
