export {};
export * from "./config.js";
export * from "./run.js";
export * from "./stages.js";
