export {};
export * from "./torch.js";
export * from "./torch-ops.js";
export * from "./torch-optim.js";
export * from "./distributed.js";
export * from "./launch.js";
