export { epochPermutation, SeededShuffler } from "./prng.js";
export { warmupLinear, warmupLinearSchedule, type WarmupLinearOptions } from "./schedule.js";
export { isNoDecay, createAdamW, type TrainOptimizerOptions } from "./optimizer.js";
export {
  canonicalJson,
  configHash,
  writeChunksAtomic,
  saveCheckpoint,
  loadCheckpoint,
  CHECKPOINT_FORMAT,
  type TrainState,
  type CheckpointContents,
} from "./checkpoint.js";
export {
  trainLoop,
  rankSlice,
  type TrainProgress,
  type TrainLoopOptions,
  type TrainResult,
  type DistributedTraining,
} from "./loop.js";
export {
  trainStudent,
  type DistillOptions,
  type DistillPair,
  type OptimSettings,
  type StudentTrainResult,
} from "./distill.js";
export { trainTeacher, type TeacherPair, type TeacherTrainingOptions } from "./teacher.js";
export { encodeTokenVectors } from "./encode-cache.js";
export { IdfTable, idfFromTexts, idfFromTokenIds } from "./idf.js";
export {
  computeStudentInputs,
  serializeStudentInputs,
  parseStudentInputs,
  readStudentInputsFile,
  type StudentInputs,
} from "./student-inputs.js";
export {
  MlmHead,
  mlmHeadShapes,
  maskTokens,
  mlmLoss,
  pairSequence,
  pretrainMlm,
  type MaskedBatch,
  type MaskingOptions,
  type MlmTrainingOptions,
} from "./mlm.js";
