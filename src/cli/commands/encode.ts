import type { Command } from "commander";

/** Registers `xlir encode` (to be written). */
export function register(_program: Command): void {}
