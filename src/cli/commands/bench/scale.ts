import type { Command } from "commander";
import { XlirError } from "../../../errors.js";
import { BUCKET_MODES } from "../../../index/plaid-codec.js";
import { runScaleBench, SCALE_BENCH_DEFAULTS, type ScaleBenchOptions } from "../../../search/scale.js";
import { parseFloatOption, printJson } from "../../util.js";
import { addIntOptions } from "./options.js";

/** Registers `xlir bench scale`: a synthetic collection indexed in parts (multi-plaid), searched, recall against exact. */
export function register(bench: Command): void {
  const d = SCALE_BENCH_DEFAULTS;
  const cmd = bench
    .command("scale")
    .description(
      "index a generated late-interaction collection in parts (multi-plaid, one child process per part), search it: time per part, index size, peak RSS, QPS, recall@10 against exact MaxSim",
    );
  addIntOptions(cmd, [
    ["--passages <n>", "passages in the collection", d.passages],
    ["--parts <n>", "parts (each indexed in its own child process)", d.parts],
    ["--concurrency <n>", "part processes at once", d.concurrency],
    ["--dim <n>", "token vector dimension", d.dim],
    ["--median-tokens <n>", "median passage length in tokens (lognormal, sigma 0.6)", d.medianTokens],
    ["--max-tokens <n>", "longest passage in tokens", d.maxTokens],
    ["--topics <n>", "cluster centres of the generated tokens", d.topics],
  ]).option(
    "--spread <x>",
    "noise around the centres, per coordinate before normalisation",
    parseFloatOption("--spread"),
    d.spread,
  );
  addIntOptions(cmd, [
    ["--queries <n>", "sample queries (recall against exact MaxSim, QPS)", d.queries],
    ["--nbits <n>", "residual bits per dimension", d.nbits],
    [
      "--centroids <n>",
      "k-means centroids per part (default 2^floor(log2(16 sqrt(part tokens))), at most 4096)",
    ],
    ["--kmeans-iterations <n>", "k-means iterations", d.kmeansIterations],
    ["--points-per-centroid <n>", "k-means training points per centroid", d.pointsPerCentroid],
    ["--nprobe <n>", "centroids probed per query token", d.nprobe],
    ["--candidates <n>", "documents decompressed and scored per query and part", d.candidates],
    ["--seed <n>", "random seed", d.seed],
  ])
    .option("--buckets <mode>", `residual buckets: ${BUCKET_MODES.join(", ")}`, d.buckets)
    .option("--dir <dir>", "keep the index in this folder (default: a temporary folder, removed)")
    .option("--json", "print JSON (the only output format)", true)
    .action(async (o: Omit<ScaleBenchOptions, "minTokens" | "queryTokens" | "k"> & { json?: boolean }) => {
      if (o.passages < o.parts || o.parts < 1)
        throw new XlirError("USAGE", "--parts must be >= 1 and at most --passages");
      if (o.topics <= 32)
        throw new XlirError("USAGE", "--topics must be > 32 (32 centres are the frequent ones)");
      if (!BUCKET_MODES.includes(o.buckets))
        throw new XlirError("USAGE", `--buckets expects ${BUCKET_MODES.join(", ")}, got '${o.buckets}'`);
      const { json: _json, ...rest } = o;
      printJson(await runScaleBench(rest));
    });
}
