export {};
export * from "./types.js";
export * from "./ot.js";
export * from "./contrastive.js";
export * from "./mse.js";
export * from "./combined.js";
export * from "./registry.js";
