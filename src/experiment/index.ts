export {};
export * from "./config.js";
export * from "./run.js";
export * from "./stages.js";
export { applyTuning, studentSettings, TUNING_FORMAT, type StudentSettings } from "./settings.js";
export { loadBenchmarks, type BenchmarkDef, type LanguageTask, type Split, type Direction } from "./benchmarks.js";
