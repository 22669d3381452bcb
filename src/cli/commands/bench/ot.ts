import type { Command } from "commander";

/** Registers `xlir bench ot` (to be written). */
export function register(_bench: Command): void {}
