export * from "./server.js";
export * from "./catalog.js";
export * from "./explain.js";
export * from "./router.js";
export * from "./setup.js";
