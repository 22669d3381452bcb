import type { Command } from "commander";

/** Registers `xlir data` (to be written). */
export function register(_program: Command): void {}
