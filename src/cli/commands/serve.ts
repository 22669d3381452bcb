import type { Command } from "commander";

/** Registers `xlir serve` (to be written). */
export function register(_program: Command): void {}
