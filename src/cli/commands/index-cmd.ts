import type { Command } from "commander";

/** Registers `xlir index` (to be written). */
export function register(_program: Command): void {}
