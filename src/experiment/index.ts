export {
  parseExperimentConfig,
  loadExperimentConfig,
  experimentConfigSchema,
  STUDENT_LOSSES,
  type ExperimentConfig,
  type UserBenchmark,
  type LossSettings,
} from "./config.js";
export { hashOf } from "./stages.js";
export { PROFILES, PROFILE_NAMES, withProfile, type ProfileName } from "./profiles.js";
export { runExperiment, type ExperimentOptions, type ExperimentSummary } from "./run.js";
export {
  runTuning,
  planTrials,
  type TuningFile,
  type Trial,
  type TrialResult,
  type TuneOptions,
} from "./tune.js";
export {
  runDevEvaluation,
  renderDevMarkdown,
  DEV_FORMAT,
  type DevFile,
  type DevRow,
  type DevOptions,
} from "./dev-eval.js";
export { englishClusters, pairGroups } from "./clusters.js";
export { codeSwitchBitext, type CodeSwitched, type CodeSwitchCounts } from "./code-switch.js";
export { applyTuning, studentSettings, TUNING_FORMAT, type StudentSettings } from "./settings.js";
export {
  loadBenchmarks,
  type BenchmarkDef,
  type LanguageTask,
  type Split,
  type Direction,
} from "./benchmarks.js";
export { type StageRecord, type StageTiming, type Logger, StageRunner } from "./stages.js";
