/** xlir public API: everything a library user imports comes from here. */
export * from "./errors.js";
export * from "./util/index.js";
export * from "./engine/index.js";
export * from "./models/index.js";
export * from "./text/index.js";
export * from "./ot/index.js";
export * from "./losses/index.js";
export * from "./train/index.js";
export * from "./data/index.js";
export * from "./index/index.js";
export * from "./search/index.js";
export * from "./eval/index.js";
export * from "./report/index.js";
export * from "./experiment/index.js";
export * from "./server/index.js";
