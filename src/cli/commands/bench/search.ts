import type { Command } from "commander";
import { XlirError } from "../../../errors.js";
import { runSearchBench, SEARCH_BENCH_DEFAULTS, type SearchBenchOptions } from "../../../search/bench.js";
import { parseFloatOption, parseIntOption, printJson } from "../../util.js";

/** Registers `xlir bench search`: exact vs approximate search on synthetic vectors. */
export function register(bench: Command): void {
  const d = SEARCH_BENCH_DEFAULTS;
  bench
    .command("search")
    .description(
      "exact vs approximate search (single- and multi-vector) on synthetic vectors: recall@10, QPS, build time",
    )
    .option(
      "--vectors <n>",
      "document vectors (multi: token vectors)",
      parseIntOption("--vectors"),
      d.vectors,
    )
    .option("--dim <n>", "dimension", parseIntOption("--dim"), d.dim)
    .option("--clustered", "draw vectors around cluster centres instead of uniformly", false)
    .option(
      "--queries <n>",
      "single-vector queries (searched as one batch)",
      parseIntOption("--queries"),
      d.queries,
    )
    .option("--multi-queries <n>", "multi-vector queries", parseIntOption("--multi-queries"), d.multiQueries)
    .option(
      "--query-tokens <n>",
      "tokens per multi-vector query",
      parseIntOption("--query-tokens"),
      d.queryTokens,
    )
    .option(
      "--token-k <list>",
      "multi-vector ANN hits per query token, comma-separated values to sweep",
      d.tokenK.join(","),
    )
    .option(
      "--rerank-depth <list>",
      "multi-vector ANN: candidates re-ranked exactly per query, comma-separated values to sweep",
      d.rerankDepth.join(","),
    )
    .option(
      "--spread <x>",
      "clustered: per-coordinate noise around the centres",
      parseFloatOption("--spread"),
      d.spread,
    )
    .option("--ef <n>", "HNSW expansion at search", parseIntOption("--ef"), d.expansionSearch)
    .option("--parts <list>", "comma-separated: single,multi", "single,multi")
    .option("--seed <n>", "random seed", parseIntOption("--seed"), d.seed)
    .option(
      "--dump <dir>",
      "write the single-vector docs/queries as raw float32 for scripts/dev/faiss_flatip.py",
    )
    .option("--exact-only", "single-vector part: skip the HNSW build and search", false)
    .option("--json", "print JSON (the only output format)", true)
    .action(
      async (
        o: Pick<
          SearchBenchOptions,
          "vectors" | "dim" | "clustered" | "queries" | "multiQueries" | "queryTokens" | "spread" | "seed"
        > & {
          tokenK: string;
          rerankDepth: string;
          ef: number;
          parts: string;
          dump?: string;
          exactOnly: boolean;
        },
      ) => {
        const parts = o.parts.split(",").map((s) => s.trim());
        for (const p of parts)
          if (p !== "single" && p !== "multi")
            throw new XlirError("USAGE", `--parts: unknown part '${p}'; known: single, multi`);
        const tokenK = o.tokenK.split(",").map((x) => parseIntOption("--token-k")(x.trim()));
        const rerankDepth = o.rerankDepth.split(",").map((x) => parseIntOption("--rerank-depth")(x.trim()));
        if (o.vectors < 100 || o.dim < 1 || o.queries < 1 || o.multiQueries < 1)
          throw new XlirError("USAGE", "--vectors >= 100, --dim, --queries, --multi-queries >= 1");
        printJson(
          await runSearchBench({
            vectors: o.vectors,
            dim: o.dim,
            clustered: o.clustered,
            queries: o.queries,
            multiQueries: o.multiQueries,
            queryTokens: o.queryTokens,
            tokenK,
            rerankDepth,
            spread: o.spread,
            expansionSearch: o.ef,
            parts: parts as Array<"single" | "multi">,
            seed: o.seed,
            dumpDir: o.dump,
            exactOnly: o.exactOnly,
          }),
        );
      },
    );
}
