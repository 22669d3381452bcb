import type { Command } from "commander";

/** Registers `xlir bench search` (to be written). */
export function register(_bench: Command): void {}
