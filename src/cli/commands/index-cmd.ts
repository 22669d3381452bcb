import type { Command } from "commander";
import { SingleBar } from "cli-progress";
import { readAllCorpus } from "../../data/corpus.js";
import { inputError, XlirError } from "../../errors.js";
import { Bm25Index } from "../../index/bm25.js";
import { saveBm25 } from "../../index/bm25-store.js";
import { buildVectorIndex } from "../../index/build.js";
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
}

/** Registers `xlir index`: encode a JSONL corpus into an index folder (or build BM25). */
export function register(program: Command): void {
  program
    .command("index")
    .description("build a search index of a JSONL corpus ({id,title,text} a line) with a document encoder, or BM25")
    .requiredOption("--corpus <file>", "corpus JSONL")
    .requiredOption("--out <dir>", "index folder to create (built in <dir>.tmp-build, resumable)")
    .option("--model <dir>", "encoder folder (Hugging Face files + xlir.json); required for vector kinds")
    .option("--kind <kind>", `index kind: ${INDEX_KINDS.join(", ")}`, "multi")
    .option("--batch-size <n>", "documents per encoder call", parseIntOption("--batch-size"), 32)
    .option("--max-length <n>", "longest document in tokens (default: the model's, at most 512)", parseIntOption("--max-length"))
    .option("--shard-size <n>", "documents per committed shard (resume granularity)", parseIntOption("--shard-size"), 1024)
    .option("--storage <dtype>", "vector storage: float32 or float16", "float32")
    .option("--token-k <n>", "multi: ANN token hits per query token at search", parseIntOption("--token-k"), 64)
    .option("--connectivity <n>", "HNSW graph degree", parseIntOption("--connectivity"), 16)
    .option("--ef-construction <n>", "HNSW expansion while building", parseIntOption("--ef-construction"), 128)
    .option("--threads <n>", "encoder / HNSW threads", parseIntOption("--threads"))
    .option("--device <name>", "cpu, cuda or cuda:N: ONNX Runtime's CUDA execution provider when installed (falls back to the CPU with a message)", "cpu")
    .option("--lang <code>", "bm25: analyser language", "en")
    .option("--k1 <x>", "bm25: k1", parseFloatOption("--k1"), 0.9)
    .option("--b <x>", "bm25: b", parseFloatOption("--b"), 0.4)
    .option("--no-progress", "no progress bar on stderr")
    .action(async (o: IndexCliOptions) => {
      // Id fields as 'xlir index' has always accepted them (first found wins); errors name file and line.
      const docs = await readAllCorpus(o.corpus, { format: "jsonl", idFields: ["id", "_id", "docid", "docno", "doc_id"] });
      if (docs.length === 0) throw inputError(o.corpus, undefined, "corpus has no documents");
      if (o.kind === "bm25") {
        const t = performance.now();
        const index = Bm25Index.build(docs, { analyzer: o.lang, k1: o.k1, b: o.b });
        const manifest = await saveBm25(index, o.out);
        const seconds = (performance.now() - t) / 1000;
        printJson({ manifest, stats: { docs: docs.length, seconds, docsPerSecond: docs.length / seconds } });
        return;
      }
      vectorKind(o.kind);
      if (!o.model) throw new XlirError("USAGE", `--model is required for index kind '${o.kind}'`);
      if (o.storage !== "float32" && o.storage !== "float16") throw new XlirError("USAGE", `--storage must be float32 or float16, got '${o.storage}'`);
      const encoder = await OnnxEncoder.fromFolder(o.model, { maxLength: o.maxLength, batchSize: o.batchSize, threads: o.threads, device: o.device });
      const bar = o.progress ? new SingleBar({ stream: process.stderr, format: "encoding [{bar}] {value}/{total} docs | {eta_formatted} left" }) : null;
      bar?.start(docs.length, 0);
      try {
        const { manifest, stats } = await buildVectorIndex({
          kind: o.kind, out: o.out, encoder, docs, batchSize: o.batchSize, shardSize: o.shardSize,
          storage: o.storage as VectorDtype, tokenK: o.tokenK, connectivity: o.connectivity, expansionAdd: o.efConstruction,
          threads: o.threads, extraParams: { model: o.model, maxLength: encoder.maxLength },
          onProgress: (done) => bar?.update(done),
        });
        bar?.stop();
        printJson({ manifest, stats: { ...stats, encoderShare: stats.encodeSeconds / stats.totalSeconds } });
      } finally {
        bar?.stop();
        await encoder.dispose();
      }
    });
}
