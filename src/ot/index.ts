export { type OtResult, type SinkhornOptions, type UnbalancedOptions } from "./types.js";
export { sinkhorn, sinkhornLog, sinkhornPlain } from "./sinkhorn.js";
export { emd, type EmdOptions } from "./emd.js";
export { sinkhornUnbalanced } from "./unbalanced.js";
export {
  sinkhornBatched,
  MASKED_LOG_WEIGHT,
  type BatchedSinkhornOptions,
  type BatchedSinkhornResult,
} from "./batched.js";
export { alignTokenVectors, type TokenAlignment } from "./alignment.js";
