import type { Command } from "commander";

/** Registers `xlir bench train` (to be written). */
export function register(_bench: Command): void {}
