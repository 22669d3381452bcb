export {};
export * from "./translate/registry.js";
export * from "./translate/dictionary.js";
export * from "./translate/command.js";
export * from "./searcher.js";
export * from "./bench.js";
export * from "./scale.js";
