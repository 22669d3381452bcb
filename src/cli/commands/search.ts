import { basename } from "node:path";
import type { Command } from "commander";
import { readAllQueries } from "../../data/corpus.js";
import { inputError, XlirError } from "../../errors.js";
import { writeRun } from "../../eval/run.js";
import { OnnxEncoder } from "../../models/onnx-encoder.js";
import { indexKindOf, Searcher } from "../../search/searcher.js";
import { parseIntOption, printJson } from "../util.js";

/** Registers `xlir search`: search an index with a query file and write a TREC run. */
export function register(program: Command): void {
  program
    .command("search")
    .description(
      "search an index with queries (TSV qid<TAB>text) and write a TREC run (qid Q0 docno rank score tag)",
    )
    .requiredOption("--index <dir>", "index folder built by 'xlir index'")
    .requiredOption("--queries <file>", "queries TSV: qid<TAB>text")
    .requiredOption("--out <file>", "run file to write")
    .option("--model <dir>", "query encoder folder (vector indexes)")
    .option("-k, --k <n>", "documents per query", parseIntOption("-k"), 1000)
    .option("--tag <name>", "run tag (default: the index folder name)")
    .option("--batch-size <n>", "queries per encoder call", parseIntOption("--batch-size"), 32)
    .option("--max-length <n>", "longest query in tokens", parseIntOption("--max-length"))
    .option("--token-k <n>", "multi: ANN token hits per query token", parseIntOption("--token-k"))
    .option(
      "--rerank-depth <n>",
      "multi: candidates re-ranked by exact MaxSim per query (default 1024)",
      parseIntOption("--rerank-depth"),
    )
    .option("--ef <n>", "HNSW expansion at search", parseIntOption("--ef"))
    .option(
      "--nprobe <n>",
      "multi-plaid: centroids probed per query token (default: the index's, 8)",
      parseIntOption("--nprobe"),
    )
    .option(
      "--candidates <n>",
      "multi-plaid: documents decompressed and scored per query (default: the index's, 256)",
      parseIntOption("--candidates"),
    )
    .option(
      "--resident-bytes <n>",
      "parts: most bytes of vectors kept loaded; larger parted indexes load one part at a time (default 4 GiB)",
      parseIntOption("--resident-bytes"),
    )
    .option("--threads <n>", "encoder threads", parseIntOption("--threads"))
    .option(
      "--device <name>",
      "cpu, cuda or cuda:N: ONNX Runtime's CUDA execution provider when installed (falls back to the CPU with a message)",
      "cpu",
    )
    .action(
      async (o: {
        index: string;
        queries: string;
        out: string;
        model?: string;
        k: number;
        tag?: string;
        batchSize: number;
        maxLength?: number;
        tokenK?: number;
        rerankDepth?: number;
        ef?: number;
        threads?: number;
        nprobe?: number;
        candidates?: number;
        residentBytes?: number;
        device: string;
      }) => {
        if (o.k < 1) throw new XlirError("USAGE", `-k must be >= 1, got ${o.k}`);
        const queries = await readAllQueries(o.queries, { format: "tsv" });
        if (queries.length === 0) throw inputError(o.queries, undefined, "no queries");
        const kind = await indexKindOf(o.index);
        if (kind !== "bm25" && !o.model)
          throw new XlirError(
            "USAGE",
            `index ${o.index} is a ${kind} vector index: give the query encoder with --model DIR`,
          );
        const encoder =
          kind === "bm25" || !o.model
            ? null
            : await OnnxEncoder.fromFolder(o.model, {
                maxLength: o.maxLength,
                batchSize: o.batchSize,
                threads: o.threads,
                device: o.device,
              });
        try {
          const searcher = await Searcher.open(o.index, encoder, {
            queryBatch: o.batchSize,
            tokenK: o.tokenK,
            rerankDepth: o.rerankDepth,
            expansionSearch: o.ef,
            nprobe: o.nprobe,
            candidates: o.candidates,
            residentBytes: o.residentBytes,
            modelName: `the query model ${o.model}`,
          });
          const t = performance.now();
          const run = await searcher.search(queries, o.k);
          const seconds = (performance.now() - t) / 1000;
          const tag = o.tag ?? basename(o.index.replace(/\/+$/, ""));
          await writeRun(o.out, run, tag, 8);
          printJson({
            index: searcher.summary,
            queries: queries.length,
            k: o.k,
            out: o.out,
            tag,
            seconds,
            queriesPerSecond: queries.length / seconds,
          });
        } finally {
          await encoder?.dispose();
        }
      },
    );
}
