export {};
export * from "./io.js";
export * from "./build.js";
export * from "./manifest.js";
export * from "./topics.js";
export * from "./corpus.js";
export * from "./bitext.js";
