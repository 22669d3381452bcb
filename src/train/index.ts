export {};
export * from "./prng.js";
export * from "./schedule.js";
export * from "./optimizer.js";
export * from "./checkpoint.js";
export * from "./loop.js";
export * from "./bench.js";
