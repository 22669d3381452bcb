/**
 * Recall@k of an approximate index against an exact one over the same documents, with real
 * queries through the real encoder, plus the queries per second of both.
 *   node --import tsx scripts/dev/ann-recall-on-index.ts EXACT_INDEX APPROX_INDEX MODEL_DIR QUERIES.tsv [k] [maxLength] [tokenK] [rerankDepth]
 */
import { OnnxEncoder } from "../../src/models/onnx-encoder.js";
import { readAllQueries } from "../../src/data/corpus.js";
import { Searcher } from "../../src/search/searcher.js";
import { recallAtK } from "../../src/search/bench.js";

const [exactDir, approxDir, model, queryFile, kArg, maxLenArg, tokenKArg, depthArg] = process.argv.slice(2);
const k = Number(kArg ?? "10");
const encoder = await OnnxEncoder.fromFolder(model, maxLenArg ? { maxLength: Number(maxLenArg) } : {});
const queries = await readAllQueries(queryFile, { format: "tsv" });
const opts = {
  tokenK: tokenKArg ? Number(tokenKArg) : undefined,
  rerankDepth: depthArg ? Number(depthArg) : undefined,
};
const out: Record<string, unknown> = { queries: queries.length, k, ...opts };
const runs = [];
for (const dir of [exactDir, approxDir]) {
  const s = await Searcher.open(dir, encoder, opts);
  await s.search(queries.slice(0, 2), k); // warm-up
  const t = performance.now();
  const run = await s.search(queries, k);
  const secs = (performance.now() - t) / 1000;
  out[s.summary.kind] = { seconds: secs, qps: queries.length / secs, docs: s.summary.docCount };
  runs.push(queries.map((q) => (run.get(q.qid) ?? []).map((h) => h.docno)));
}
out.recallAtK = recallAtK(runs[0], runs[1], k);
await encoder.dispose();
process.stdout.write(JSON.stringify(out, null, 2) + "\n");
