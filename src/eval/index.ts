// Evaluation: explicit lists. `TrecRun` is kept as an alias of `Run` for callers that used it.
export type { Qrels, RunEntry, EvalOptions, EvalResult, MeasureInfo, ResolvedEvalOptions } from "./types.js";
export type { Run as TrecRun } from "./types.js";
export { DEFAULT_EVAL_OPTIONS, resolveEvalOptions } from "./types.js";
export { readQrels, parseQrels, formatQrels, writeQrels } from "./qrels.js";
export { readRun, readRunWithId, parseRun, formatRun, writeRun } from "./run.js";
export { evaluateRun, evaluateRunFile, Evaluation } from "./evaluate.js";
export { parseMeasures, type MeasureSpec } from "./measure-spec.js";
export {
  MEASURES,
  MEASURE_ORDER,
  OFFICIAL,
  ALL_TREC,
  SET_MEASURES,
  TREC_MEASURES,
} from "./measures/registry.js";
export type { MeasureFamily, SummaryContext } from "./measures/types.js";
export { formatTrecEval, evalResultToJson } from "./trec-output.js";
export { formatFixed4, formatTrecLine } from "./format.js";
export { compareBytes } from "./strings.js";
export { trecRankOrder, rankQuery, prepareJudged, type QueryContext, type JudgedQuery } from "./ranking.js";
export { pairedTTest, type PairedTestResult } from "./significance/ttest.js";
export { pairedRandomization, type RandomizationOptions } from "./significance/randomization.js";
export { bootstrapCI, type BootstrapOptions, type ConfidenceInterval } from "./significance/bootstrap.js";
export { holm, bonferroni, correct, CORRECTIONS, type CorrectionName } from "./significance/corrections.js";
export { pairedTest, TESTS, type TestName } from "./significance/tests.js";
export {
  compareSystems,
  compareScores,
  COMPARE_DEFAULTS,
  type ComparisonRow,
  type ComparisonTable,
  type CompareScoresOptions,
  type CompareSystemsOptions,
} from "./compare.js";
export {
  renderComparison,
  renderComparisonText,
  renderComparisonMarkdown,
  renderComparisonLatex,
  renderComparisonJson,
  COMPARISON_RENDERERS,
} from "./compare-render.js";
export type { Run } from "./types.js";
export {
  fuseRuns,
  FUSE_DEFAULTS,
  FUSION_METHODS,
  NORMALIZATIONS,
  type FuseOptions,
  type FusionMethod,
  type FusionMethodName,
  type NormalizationName,
  type RankedList,
} from "./fusion/index.js";
