import type { Command } from "commander";

/** Registers `xlir align` (to be written). */
export function register(_program: Command): void {}
