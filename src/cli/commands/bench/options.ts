/** Option tables shared by the `xlir bench` commands. */
import type { Command } from "commander";
import { parseIntOption } from "../../util.js";

/** An integer option: commander flags ("--layers <n>"), help text, and the default when there is one. */
export type IntOption = readonly [flags: string, description: string, defaultValue?: number];

/** Adds integer options to `cmd`, each parsed by parseIntOption under its flag name ("--layers <n>" -> "--layers"). */
export function addIntOptions(cmd: Command, options: readonly IntOption[]): Command {
  for (const [flags, description, defaultValue] of options)
    cmd.option(flags, description, parseIntOption(flags.split(" ")[0]), defaultValue);
  return cmd;
}

/** The size options of a random BERT-layout encoder (`bench encode --random-config`, `bench train`). */
export function encoderShapeOptions(d: {
  layers: number;
  hidden: number;
  heads: number;
  ffn: number;
  vocab: number;
}): IntOption[] {
  return [
    ["--layers <n>", "transformer layers", d.layers],
    ["--hidden <n>", "hidden size", d.hidden],
    ["--heads <n>", "attention heads", d.heads],
    ["--ffn <n>", "feed-forward size", d.ffn],
    ["--vocab <n>", "vocabulary size", d.vocab],
  ];
}
