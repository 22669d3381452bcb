import type { Command } from "commander";

/** Registers `xlir search` (to be written). */
export function register(_program: Command): void {}
