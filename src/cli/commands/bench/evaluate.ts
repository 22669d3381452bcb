import type { Command } from "commander";

/** Registers `xlir bench evaluate` (to be written). */
export function register(_bench: Command): void {}
