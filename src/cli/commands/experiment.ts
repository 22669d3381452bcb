import type { Command } from "commander";

/** Registers `xlir experiment` (to be written). */
export function register(_program: Command): void {}
