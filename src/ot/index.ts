export {};
export * from "./types.js";
export * from "./sinkhorn.js";
export * from "./emd.js";
export * from "./unbalanced.js";
export * from "./random.js";
export * from "./batched.js";
export * from "./alignment.js";
