import type { Command } from "commander";

/** Registers `xlir evaluate` (to be written). */
export function register(_program: Command): void {}
