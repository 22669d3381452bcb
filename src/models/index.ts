export {};
export * from "./types.js";
