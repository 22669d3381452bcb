export {
  parseExperimentConfig,
  loadExperimentConfig,
  hashOf,
  experimentConfigSchema,
  type ExperimentConfig,
  type UserBenchmark,
} from "./config.js";
export { runExperiment, type ExperimentOptions, type ExperimentSummary } from "./run.js";
export { type StageRecord, type StageTiming, type Logger, StageRunner } from "./stages.js";
