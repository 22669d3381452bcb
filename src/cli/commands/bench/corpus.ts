import type { Command } from "commander";

/** Registers `xlir bench corpus` (to be written). */
export function register(_bench: Command): void {}
