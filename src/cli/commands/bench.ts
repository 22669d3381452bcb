import type { Command } from "commander";
import { register as corpus } from "./bench/corpus.js";
import { register as encode } from "./bench/encode.js";
import { register as evaluate } from "./bench/evaluate.js";
import { register as ot } from "./bench/ot.js";
import { register as scale } from "./bench/scale.js";
import { register as search } from "./bench/search.js";
import { register as train } from "./bench/train.js";

/** `xlir bench <what>`: micro and macro benchmarks, each printing one JSON object with --json. */
export function register(program: Command): void {
  const bench = program
    .command("bench")
    .description("benchmarks that print JSON (train, encode, ot, search, scale, corpus, evaluate)");
  for (const sub of [train, encode, ot, search, scale, corpus, evaluate]) sub(bench);
}
