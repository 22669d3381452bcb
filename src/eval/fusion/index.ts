export { fuseRuns, FUSE_DEFAULTS } from "./fuse.js";
export { FUSION_METHODS } from "./registry.js";
export { NORMALIZATIONS } from "./normalize.js";
export type { FuseOptions, FusionMethod, FusionMethodName, NormalizationName, RankedList } from "./types.js";
