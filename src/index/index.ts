export {};
export * from "./bm25.js";
export * from "./bm25-store.js";
export * from "./bm25-norms.js";
