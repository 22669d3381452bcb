import type { Command } from "commander";
import { XlirError } from "../../../errors.js";
import { benchTrain, type BenchShape } from "../../../train/bench.js";
import { addDistributedOptions, runRanks, type DistributedCliOptions } from "../../distributed.js";
import { parseFloatOption, printJson } from "../../util.js";
import { addIntOptions, encoderShapeOptions } from "./options.js";

interface BenchTrainCliOptions extends BenchShape, DistributedCliOptions {
  device: string;
  warmup: number;
  dim: number;
  threads?: number;
  blasThreads?: number;
  peak: number;
  json?: boolean;
}

/** Registers `xlir bench train`: forward + backward + AdamW of a random encoder on the libtorch engine. */
export function register(bench: Command): void {
  const cmd = bench
    .command("train")
    .description(
      "time training steps (forward + backward + AdamW) of a random BERT-layout encoder with a ColBERT head on libtorch; " +
        "with --nproc N, N data-parallel ranks share each global batch (threads are per rank) and rank 0 prints the result",
    );
  addIntOptions(cmd, [
    ...encoderShapeOptions({ layers: 2, hidden: 256, heads: 4, ffn: 1024, vocab: 8000 }),
    ["--seq <n>", "tokens per text", 32],
    ["--batch <n>", "texts per (global) batch", 16],
    ["--steps <n>", "timed steps", 20],
    ["--warmup <n>", "untimed steps first", 3],
    ["--dim <n>", "ColBERT head dimension", 128],
    ["--threads <n>", "libtorch intra-op threads (default 1, env XLIR_TORCH_THREADS)"],
    ["--blas-threads <n>", "OpenBLAS threads (default min(2, cores), env XLIR_BLAS_THREADS)"],
  ])
    .option("--peak <gflops>", "machine peak for the reported fraction", parseFloatOption("--peak"), 156)
    .option(
      "--device <name>",
      "cpu, cuda or cuda:N (CUDA needs the binding built against a CUDA libtorch; see README)",
      "cpu",
    )
    .option("--json", "print one JSON object");
  addDistributedOptions(cmd).action(async (o: BenchTrainCliOptions) => {
    for (const k of ["layers", "hidden", "heads", "ffn", "seq", "batch", "vocab", "steps", "dim"] as const) {
      if (!(o[k] > 0)) throw new XlirError("USAGE", `--${k} must be positive, got ${o[k]}`);
    }
    if (o.hidden % o.heads !== 0)
      throw new XlirError("USAGE", `--hidden ${o.hidden} is not a multiple of --heads ${o.heads}`);
    if (o.vocab < 2) throw new XlirError("USAGE", "--vocab must be at least 2");
    if (o.nproc !== undefined && o.batch % o.nproc !== 0)
      throw new XlirError("USAGE", `--batch ${o.batch} is not a multiple of --nproc ${o.nproc}`);
    await runRanks(o, (group) => {
      if (group && o.batch % group.worldSize !== 0)
        throw new XlirError("USAGE", `--batch ${o.batch} is not a multiple of the ${group.worldSize} ranks`);
      const r = benchTrain({ ...o, peakGflops: o.peak, group: group ?? undefined });
      if (group && group.rank !== 0) return;
      if (o.json) printJson(r);
      else {
        process.stdout.write(
          `libtorch ${r.torch_version} on ${r.device}, ${r.world_size} rank(s) x ${r.threads.torch} torch / ${r.threads.blas} BLAS threads: ` +
            `step median ${r.step_ms_median} ms (p90 ${r.step_ms_p90}, min ${r.step_ms_min}) over ${r.steps} steps, ${r.examples_per_s} texts/s; ` +
            `${r.gflops_at_median} GFLOP/s = ${(100 * r.peak_fraction).toFixed(1)}% of ${r.peak_gflops}\n`,
        );
      }
    });
  });
}
