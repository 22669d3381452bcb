export {};
export * from "./server.js";
