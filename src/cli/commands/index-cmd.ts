import type { Command } from "commander";
import { readAllCorpus, readCorpus } from "../../data/corpus.js";
import { inputError, XlirError } from "../../errors.js";
import { Bm25Index } from "../../index/bm25.js";
import { saveBm25 } from "../../index/bm25-store.js";
import { buildVectorIndex } from "../../index/build.js";
import { EXPORT_FORMATS, exportIndex, type ExportFormat } from "../../index/export.js";
import { checkParts } from "../../index/parted-index.js";
import { assembleParts, parsePartSpec } from "../../index/parts.js";
import { BUCKET_MODES, PLAID_DEFAULTS, type BucketMode } from "../../index/plaid-codec.js";
import { AtomicLineWriter } from "../../data/atomic.js";
import { readManifest } from "../../index/storage.js";
import { INDEX_KINDS, vectorKind } from "../../index/registry.js";
import type { VectorDtype } from "../../index/types.js";
import { OnnxEncoder } from "../../models/onnx-encoder.js";
import { parseFloatOption, parseIntOption, printJson } from "../util.js";

interface IndexCliOptions {
  model?: string;
  corpus: string;
  out: string;
  kind: string;
  batchSize: number;
  maxLength?: number;
  shardSize: number;
  storage: string;
  tokenK: number;
  connectivity: number;
  efConstruction: number;
  threads?: number;
  device: string;
  lang: string;
  k1: number;
  b: number;
  progress: boolean;
  part?: string;
  assemble: boolean;
  verify: boolean;
  nbits: number;
  buckets: string;
  centroids?: number;
  kmeansIterations: number;
  seed: number;
}

/** Registers `xlir index`: encode a JSONL corpus into an index folder (or build BM25). */
export function register(program: Command): void {
  program
    .command("index")
    .description(
      "build a search index of a JSONL corpus ({id,title,text} a line) with a document encoder, or BM25",
    )
    .option("--corpus <file>", "corpus JSONL (streamed: never read whole)")
    .requiredOption(
      "--out <dir>",
      "index folder to create (built in <dir>.tmp-build, resumable); with --part the folder holding the parts",
    )
    .option(
      "--part <i/N>",
      "build part i of N only: the documents at record positions p (0-based) with p mod N = i, into OUT/part-i-of-N; when all N parts are in OUT, OUT/manifest.json lists them",
    )
    .option(
      "--assemble",
      "write OUT/manifest.json for the parts in OUT (after copying parts built on other machines); no --corpus needed",
      false,
    )
    .option(
      "--verify",
      "check the parts listed in OUT/manifest.json: present, sizes and sha256 of every file",
      false,
    )
    .option("--model <dir>", "encoder folder (Hugging Face files + xlir.json); required for vector kinds")
    .option("--kind <kind>", `index kind: ${INDEX_KINDS.join(", ")}`, "multi")
    .option("--batch-size <n>", "documents per encoder call", parseIntOption("--batch-size"), 32)
    .option(
      "--max-length <n>",
      "longest document in tokens (default: the model's, at most 512)",
      parseIntOption("--max-length"),
    )
    .option(
      "--shard-size <n>",
      "documents per committed shard (resume granularity)",
      parseIntOption("--shard-size"),
      1024,
    )
    .option("--storage <dtype>", "vector storage: float32 or float16", "float32")
    .option(
      "--token-k <n>",
      "multi: ANN token hits per query token at search",
      parseIntOption("--token-k"),
      64,
    )
    .option("--connectivity <n>", "HNSW graph degree", parseIntOption("--connectivity"), 16)
    .option(
      "--ef-construction <n>",
      "HNSW expansion while building",
      parseIntOption("--ef-construction"),
      128,
    )
    .option("--threads <n>", "encoder / HNSW threads", parseIntOption("--threads"))
    .option(
      "--nbits <n>",
      "multi-plaid: bits per residual dimension (1, 2 or 4)",
      parseIntOption("--nbits"),
      2,
    )
    .option(
      "--buckets <mode>",
      `multi-plaid: residual buckets, ${BUCKET_MODES.join(", ")} (pooled: ColBERTv2's quantiles over all dimensions; per-dim: each dimension's quantile cutoffs and bucket means)`,
      PLAID_DEFAULTS.buckets,
    )
    .option(
      "--centroids <n>",
      "multi-plaid: k-means centroids (default 2^floor(log2(16 sqrt(tokens))))",
      parseIntOption("--centroids"),
    )
    .option(
      "--kmeans-iterations <n>",
      "multi-plaid: k-means iterations",
      parseIntOption("--kmeans-iterations"),
      8,
    )
    .option("--seed <n>", "multi-plaid: sampling and k-means seed", parseIntOption("--seed"), 42)
    .option(
      "--device <name>",
      "cpu, cuda or cuda:N: ONNX Runtime's CUDA execution provider when installed (falls back to the CPU with a message)",
      "cpu",
    )
    .option("--lang <code>", "bm25: analyser language", "en")
    .option("--k1 <x>", "bm25: k1", parseFloatOption("--k1"), 0.9)
    .option("--b <x>", "bm25: b", parseFloatOption("--b"), 0.4)
    .option("--no-progress", "no progress bar on stderr")
    .action(async (o: IndexCliOptions) => {
      if (o.assemble || o.verify) {
        if (o.assemble) await assembleParts(o.out);
        const m = await readManifest(o.out);
        if (o.verify) await checkParts(o.out, m, true);
        printJson({ manifest: m, verified: o.verify });
        return;
      }
      if (!o.corpus)
        throw new XlirError("USAGE", "--corpus is required (except with --assemble or --verify)");
      const part = o.part === undefined ? undefined : parsePartSpec(o.part);
      // Id fields as 'xlir index' has always accepted them (first found wins); errors name file and line.
      const corpusOptions = { format: "jsonl" as const, idFields: ["id", "_id", "docid", "docno", "doc_id"] };
      if (o.kind === "bm25") {
        if (part) throw new XlirError("USAGE", "--part is for vector kinds; bm25 indexes the whole corpus");
        const docs = await readAllCorpus(o.corpus, corpusOptions);
        if (docs.length === 0) throw inputError(o.corpus, undefined, "corpus has no documents");
        const t = performance.now();
        const index = Bm25Index.build(docs, { analyzer: o.lang, k1: o.k1, b: o.b });
        const manifest = await saveBm25(index, o.out);
        const seconds = (performance.now() - t) / 1000;
        printJson({ manifest, stats: { docs: docs.length, seconds, docsPerSecond: docs.length / seconds } });
        return;
      }
      vectorKind(o.kind);
      if (!o.model) throw new XlirError("USAGE", `--model is required for index kind '${o.kind}'`);
      if (o.storage !== "float32" && o.storage !== "float16")
        throw new XlirError("USAGE", `--storage must be float32 or float16, got '${o.storage}'`);
      const encoder = await OnnxEncoder.fromFolder(o.model, {
        maxLength: o.maxLength,
        batchSize: o.batchSize,
        threads: o.threads,
        device: o.device,
      });
      let last = 0;
      const progress = (done: number): void => {
        if (!o.progress || (done - last < 256 && done !== 0)) return;
        last = done;
        process.stderr.write(
          `\rencoded ${done} documents${part ? ` (part ${part.index}/${part.count})` : ""}`,
        );
      };
      try {
        const { manifest, stats } = await buildVectorIndex({
          kind: o.kind,
          out: o.out,
          encoder,
          docs: readCorpus(o.corpus, corpusOptions),
          part,
          batchSize: o.batchSize,
          shardSize: o.shardSize,
          storage: o.storage as VectorDtype,
          tokenK: o.tokenK,
          connectivity: o.connectivity,
          expansionAdd: o.efConstruction,
          threads: o.threads,
          nbits: o.nbits,
          buckets: o.buckets as BucketMode,
          centroids: o.centroids,
          kmeansIterations: o.kmeansIterations,
          seed: o.seed,
          extraParams: { model: o.model, maxLength: encoder.maxLength },
          onProgress: progress,
        });
        if (o.progress) process.stderr.write("\n");
        printJson({ manifest, stats: { ...stats, encoderShare: stats.encodeSeconds / stats.totalSeconds } });
      } finally {
        await encoder.dispose();
      }
    });
  registerExport(program);
}

/** Registers `xlir export`: a multi-vector index as the feed of an engine with native MaxSim (docs/serving.md). */
function registerExport(program: Command): void {
  program
    .command("export")
    .description(
      "write a multi-vector index (multi, multi-exact, multi-plaid decompressed, or parts) as the feed of an engine with native late interaction: Qdrant multivector points, Elasticsearch rank_vectors bulk, Vespa tensor puts",
    )
    .requiredOption("--index <dir>", "index folder built by 'xlir index'")
    .requiredOption("--format <f>", `one of ${EXPORT_FORMATS.join(", ")}`)
    .requiredOption("--out <file>", "output file (written atomically)")
    .option("--field <name>", "vector field name", "colbert")
    .option("--name <name>", "index / collection / document type name", "xlir")
    .option("--decimals <n>", "decimal places of the values", parseIntOption("--decimals"), 6)
    .action(
      async (o: {
        index: string;
        format: string;
        out: string;
        field: string;
        name: string;
        decimals: number;
      }) => {
        if (!(EXPORT_FORMATS as readonly string[]).includes(o.format))
          throw new XlirError(
            "USAGE",
            `--format must be one of ${EXPORT_FORMATS.join(", ")}, got '${o.format}'`,
          );
        const w = await AtomicLineWriter.create(o.out);
        try {
          const docs = await exportIndex(
            o.index,
            { format: o.format as ExportFormat, field: o.field, name: o.name, decimals: o.decimals },
            (line) => w.write(line),
          );
          await w.close();
          printJson({ index: o.index, format: o.format, out: o.out, documents: docs });
        } catch (e) {
          await w.abort();
          throw e;
        }
      },
    );
}
