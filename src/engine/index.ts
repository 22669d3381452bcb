export {
  fromHandle,
  tidy,
  keep,
  noGrad,
  liveTensors,
  type DType,
  type Reduction,
  type NumericArray,
  isTorchAvailable,
  torchLoadFailure,
  defaultThreads,
  Tensor,
} from "./torch.js";
export {
  tensor,
  scalar,
  zeros,
  ones,
  full,
  arange,
  randn,
  rand,
  eye,
  cat,
  stack,
  einsum,
  where,
} from "./torch-ops.js";
export {
  embedding,
  linear,
  layerNorm,
  dropout,
  crossEntropy,
  mseLoss,
  clipGradNorm,
  zeroGrad,
} from "./torch-nn.js";
export { manualSeed, setThreads, getThreads, resetThreads, torchVersion } from "./torch-runtime.js";
export { type ParamGroup, type AdamWOptions, type SavedAdamWState, AdamW } from "./torch-optim.js";
export { type DeviceName, setDevice, getDevice, cudaInfo, synchronize, withDevice } from "./device.js";
export { MALLOC_TUNABLE, withMallocTunables } from "./malloc-env.js";
export {
  type ReduceOp,
  type DistributedOptions,
  DEFAULT_DIST_TIMEOUT_MS,
  ProcessGroup,
  TORCHRUN_ENV,
  distributedFromEnv,
} from "./distributed.js";
export {
  type LaunchOptions,
  type RankExit,
  type LaunchResult,
  freeLoopbackPort,
  describeExit,
  launchLocalRanks,
} from "./launch.js";
