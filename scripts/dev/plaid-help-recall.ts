/**
 * multi-plaid against exact MaxSim on a real collection: builds a multi-exact and a multi-plaid
 * index of CORPUS with the document encoder MODEL (or reuses them in OUT), searches QUERIES with it,
 * prints JSON with recall@10 of multi-plaid against multi-exact, the on-disk sizes and their ratio.
 *   node --import tsx scripts/dev/plaid-help-recall.ts MODEL [CORPUS] [QUERIES] [OUT] [nbits] [nprobe] [candidates]
 * Defaults: cache/data/help/corpus.jsonl, cache/data/help/eu/test/queries.en.tsv, /tmp/xlir-plaid-help, 2, 8, 256.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { readAllQueries, readCorpus } from "../../src/data/corpus.js";
import { buildVectorIndex } from "../../src/index/build.js";
import { OnnxEncoder } from "../../src/models/onnx-encoder.js";
import { recallAtK } from "../../src/search/bench.js";
import { openIndex, Searcher } from "../../src/search/searcher.js";

const [
  model,
  corpus = "cache/data/help/corpus.jsonl",
  queriesFile = "cache/data/help/eu/test/queries.en.tsv",
  out = "/tmp/xlir-plaid-help",
  nbits = "2",
  nprobe = "8",
  candidates = "256",
] = process.argv.slice(2);
if (!model)
  throw new Error("usage: plaid-help-recall.ts MODEL [CORPUS] [QUERIES] [OUT] [nbits] [nprobe] [candidates]");
const bytes = (dir: string): number => readdirSync(dir).reduce((a, f) => a + statSync(join(dir, f)).size, 0);
const enc = await OnnxEncoder.fromFolder(model, {});
const corpusOptions = { format: "jsonl" as const, idFields: ["id", "_id", "docid", "docno", "doc_id"] };
const exactDir = join(out, "exact");
const plaidDir = join(out, `plaid-${nbits}`);
const t0 = performance.now();
if (!existsSync(exactDir))
  await buildVectorIndex({
    kind: "multi-exact",
    out: exactDir,
    encoder: enc,
    docs: readCorpus(corpus, corpusOptions),
  });
const t1 = performance.now();
if (!existsSync(plaidDir))
  await buildVectorIndex({
    kind: "multi-plaid",
    out: plaidDir,
    encoder: enc,
    docs: readCorpus(corpus, corpusOptions),
    nbits: Number(nbits),
  });
const t2 = performance.now();
const queries = await readAllQueries(queriesFile, { format: "tsv" });
const exact = await Searcher.open(exactDir, enc);
const plaid = Searcher.fromIndex(
  await openIndex(plaidDir, { nprobe: Number(nprobe), candidates: Number(candidates) }),
  enc,
);
const re = await exact.search(queries, 10);
const t3 = performance.now();
const rp = await plaid.search(queries, 10);
const t4 = performance.now();
const ids = (r: typeof re) => queries.map((q) => (r.get(q.qid) ?? []).map((h) => h.docno));
const manifest = JSON.parse(
  (await import("node:fs")).readFileSync(join(plaidDir, "manifest.json"), "utf8"),
) as { vectorCount: number; dim: number; buildParams: Record<string, unknown> };
console.log(
  JSON.stringify(
    {
      model,
      corpus,
      queries: queries.length,
      nbits: Number(nbits),
      nprobe: Number(nprobe),
      candidates: Number(candidates),
      tokens: manifest.vectorCount,
      centroids: manifest.buildParams.centroids,
      recallAt10: recallAtK(ids(re), ids(rp), 10),
      exactBytes: bytes(exactDir),
      plaidBytes: bytes(plaidDir),
      float32VectorBytes: manifest.vectorCount * manifest.dim * 4,
      ratioVsFloat32: (manifest.vectorCount * manifest.dim * 4) / bytes(plaidDir),
      exactBuildSeconds: (t1 - t0) / 1000,
      plaidBuildSeconds: (t2 - t1) / 1000,
      exactSearchSeconds: (t3 - t2) / 1000,
      plaidSearchSeconds: (t4 - t3) / 1000,
    },
    null,
    2,
  ),
);
await enc.dispose();
