import type { Command } from "commander";
import { XlirError } from "../../../errors.js";
import { BUCKET_MODES, type BucketMode } from "../../../index/plaid.js";
import { runScaleBench, SCALE_BENCH_DEFAULTS } from "../../../search/scale.js";
import { parseFloatOption, parseIntOption, printJson } from "../../util.js";

/** Registers `xlir bench scale`: a synthetic collection indexed in parts (multi-plaid), searched, recall against exact. */
export function register(bench: Command): void {
  const d = SCALE_BENCH_DEFAULTS;
  bench
    .command("scale")
    .description(
      "index a generated late-interaction collection in parts (multi-plaid, one child process per part), search it: time per part, index size, peak RSS, QPS, recall@10 against exact MaxSim",
    )
    .option("--passages <n>", "passages in the collection", parseIntOption("--passages"), d.passages)
    .option(
      "--parts <n>",
      "parts (each indexed in its own child process)",
      parseIntOption("--parts"),
      d.parts,
    )
    .option("--concurrency <n>", "part processes at once", parseIntOption("--concurrency"), d.concurrency)
    .option("--dim <n>", "token vector dimension", parseIntOption("--dim"), d.dim)
    .option(
      "--median-tokens <n>",
      "median passage length in tokens (lognormal, sigma 0.6)",
      parseIntOption("--median-tokens"),
      d.medianTokens,
    )
    .option("--max-tokens <n>", "longest passage in tokens", parseIntOption("--max-tokens"), d.maxTokens)
    .option("--topics <n>", "cluster centres of the generated tokens", parseIntOption("--topics"), d.topics)
    .option(
      "--spread <x>",
      "noise around the centres, per coordinate before normalisation",
      parseFloatOption("--spread"),
      d.spread,
    )
    .option(
      "--queries <n>",
      "sample queries (recall against exact MaxSim, QPS)",
      parseIntOption("--queries"),
      d.queries,
    )
    .option("--nbits <n>", "residual bits per dimension", parseIntOption("--nbits"), d.nbits)
    .option(
      "--buckets <mode>",
      `residual buckets: ${BUCKET_MODES.join(", ")}`,
      d.buckets,
    )
    .option(
      "--centroids <n>",
      "k-means centroids per part (default 2^floor(log2(16 sqrt(part tokens))), at most 4096)",
      parseIntOption("--centroids"),
    )
    .option(
      "--kmeans-iterations <n>",
      "k-means iterations",
      parseIntOption("--kmeans-iterations"),
      d.kmeansIterations,
    )
    .option(
      "--points-per-centroid <n>",
      "k-means training points per centroid",
      parseIntOption("--points-per-centroid"),
      d.pointsPerCentroid,
    )
    .option("--nprobe <n>", "centroids probed per query token", parseIntOption("--nprobe"), d.nprobe)
    .option(
      "--candidates <n>",
      "documents decompressed and scored per query and part",
      parseIntOption("--candidates"),
      d.candidates,
    )
    .option("--seed <n>", "random seed", parseIntOption("--seed"), d.seed)
    .option("--dir <dir>", "keep the index in this folder (default: a temporary folder, removed)")
    .option("--json", "print JSON (the only output format)", true)
    .action(
      async (o: {
        passages: number;
        parts: number;
        concurrency: number;
        dim: number;
        medianTokens: number;
        maxTokens: number;
        topics: number;
        spread: number;
        queries: number;
        nbits: number;
        buckets: BucketMode;
        centroids?: number;
        kmeansIterations: number;
        pointsPerCentroid: number;
        nprobe: number;
        candidates: number;
        seed: number;
        dir?: string;
      }) => {
        if (o.passages < o.parts || o.parts < 1)
          throw new XlirError("USAGE", "--parts must be >= 1 and at most --passages");
        if (o.topics <= 32)
          throw new XlirError("USAGE", "--topics must be > 32 (32 centres are the frequent ones)");
        const { json: _json, ...rest } = o as typeof o & { json?: boolean };
        printJson(await runScaleBench(rest));
      },
    );
}
