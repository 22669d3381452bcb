import type { Command } from "commander";
import { benchCorpus } from "../../../data/bench-corpus.js";
import { parseIntOption, printJson } from "../../util.js";

/** Registers `xlir bench corpus`: streaming JSONL read throughput and peak memory at two sizes. */
export function register(bench: Command): void {
  bench
    .command("corpus")
    .description(
      "generate a synthetic JSONL corpus and read it streaming: MB/s and peak RSS (also at lines/10, to show memory does not grow with size)",
    )
    .option("--lines <n>", "lines of the larger corpus", parseIntOption("--lines"), 1_000_000)
    .option("--no-compare", "only the given size")
    .option("--json", "print JSON (the only output format)")
    .action(async (o: { lines: number; compare: boolean }) => {
      const sizes = o.compare && o.lines >= 10 ? [Math.round(o.lines / 10), o.lines] : [o.lines];
      const r = await benchCorpus(sizes);
      printJson({
        benchmark: "corpus",
        ...r,
        note: "each size read in a fresh child process; peakRssMb = process.resourceUsage().maxRSS of that child (includes the Node/tsx runtime)",
      });
    });
}
