import type { Command } from "commander";

/** Registers `xlir compare` (to be written). */
export function register(_program: Command): void {}
