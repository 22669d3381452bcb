// Distillation losses: the batch and result types, one option schema per loss, the losses and their registry.
export type { DistillBatch, LossInputs, LossResult, LossSpec } from "./types.js";
export { parseLossOptions, type LossOptionsSchema } from "./common.js";
export { otOptionsSchema, OT_DEFAULTS, otLoss, type OtLossOptions } from "./ot.js";
export {
  contrastiveOptionsSchema,
  CONTRASTIVE_DEFAULTS,
  contrastiveLoss,
  type ContrastiveOptions,
} from "./contrastive.js";
export { mseOptionsSchema, MSE_DEFAULTS, mseDistillLoss, type MseOptions } from "./mse.js";
export {
  combinedOptionsSchema,
  OT_CONTRASTIVE_DEFAULTS,
  otContrastiveLoss,
  type OtContrastiveOptions,
} from "./combined.js";
export { lossOptionsSchemas, LOSSES, getLoss, type LossName } from "./registry.js";
