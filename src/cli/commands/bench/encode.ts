import type { Command } from "commander";

/** Registers `xlir bench encode` (to be written). */
export function register(_bench: Command): void {}
